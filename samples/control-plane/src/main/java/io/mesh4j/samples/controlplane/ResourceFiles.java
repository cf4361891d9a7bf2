package io.mesh4j.samples.controlplane;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads Envoy v3 resources from a directory of {@code .yaml}, {@code .yml} and {@code .json} files, in Envoy's
 * proto-JSON shape. A file holds one resource (an object with {@code "@type"}) or a list of them under
 * {@code resources:}; a YAML file may hold several documents separated by {@code ---}.
 *
 * <p>Loading is all or nothing: the first problem stops it with a {@link ConfigLoadException} naming the file.
 */
final class ResourceFiles {
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().usingTypeRegistry(EnvoyTypes.registry());
  private static final Gson GSON = new Gson();

  private ResourceFiles() {}

  /** The configuration files of {@code directory}, in name order; hidden files and editor leftovers are skipped. */
  static List<Path> list(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(ResourceFiles::isConfigFile).sorted().toList();
    }
  }

  static boolean isConfigFile(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return !name.startsWith(".")
        && (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json"))
        && Files.isRegularFile(file);
  }

  static ResourceSet loadDirectory(Path directory) throws ConfigLoadException {
    List<Path> files;
    try {
      files = list(directory);
    } catch (IOException e) {
      throw new ConfigLoadException(directory, "cannot list the directory: " + e, e);
    }
    Collector collector = new Collector();
    for (Path file : files) {
      for (LabeledResource resource : loadFile(file)) {
        collector.add(file, resource);
      }
    }
    return collector.build();
  }

  /** The resources of one file, each labeled with where it sits in the file (for error messages). */
  static List<LabeledResource> loadFile(Path file) throws ConfigLoadException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigLoadException(file, "cannot read: " + e, e);
    }
    List<JsonElement> documents = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json")
        ? List.of(parseJson(file, text))
        : parseYaml(file, text);
    List<LabeledResource> resources = new ArrayList<>();
    for (int d = 0; d < documents.size(); d++) {
      String prefix = documents.size() > 1 ? "document " + (d + 1) + ", " : "";
      JsonElement document = documents.get(d);
      if (!document.isJsonObject()) {
        throw new ConfigLoadException(file, prefix + "expected a resource with \"@type\" or a list under \"resources:\"");
      }
      JsonObject object = document.getAsJsonObject();
      if (object.has("@type")) {
        resources.add(parseResource(file, prefix + "resource", object));
      } else if (object.has("resources")) {
        if (object.size() != 1) {
          List<String> others = new ArrayList<>(object.keySet());
          others.remove("resources");
          throw new ConfigLoadException(file, prefix + "unexpected keys next to \"resources\": " + others);
        }
        JsonElement list = object.get("resources");
        if (!list.isJsonArray()) {
          throw new ConfigLoadException(file, prefix + "\"resources\" must be a list");
        }
        JsonArray array = list.getAsJsonArray();
        for (int i = 0; i < array.size(); i++) {
          String label = prefix + "resources[" + i + "]";
          if (!array.get(i).isJsonObject()) {
            throw new ConfigLoadException(file, label + ": expected an object with \"@type\"");
          }
          resources.add(parseResource(file, label, array.get(i).getAsJsonObject()));
        }
      } else {
        throw new ConfigLoadException(file, prefix + "expected a resource with \"@type\" or a list under \"resources:\"");
      }
    }
    return resources;
  }

  private static LabeledResource parseResource(Path file, String label, JsonObject object) throws ConfigLoadException {
    JsonElement typeElement = object.get("@type");
    if (typeElement == null || !typeElement.isJsonPrimitive() || !typeElement.getAsJsonPrimitive().isString()) {
      throw new ConfigLoadException(file, label + ": missing \"@type\" (e.g. "
          + EnvoyTypes.TYPE_URL_PREFIX + Listener.getDescriptor().getFullName() + ")");
    }
    String typeUrl = typeElement.getAsString();
    Message prototype = EnvoyTypes.resourceType(typeUrl);
    if (prototype == null) {
      throw new ConfigLoadException(file, label + ": \"@type\" " + typeUrl + " is not a resource this control plane"
          + " serves; use one of " + EnvoyTypes.RESOURCE_TYPES.keySet().stream().sorted()
              .map(name -> EnvoyTypes.TYPE_URL_PREFIX + name).toList());
    }
    JsonObject fields = object.deepCopy();
    fields.remove("@type");
    String described = label + " (" + prototype.getDescriptorForType().getName() + nameOf(fields) + ")";
    Message.Builder builder = prototype.newBuilderForType();
    try {
      PARSER.merge(GSON.toJson(fields), builder);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new ConfigLoadException(file, described + ": " + e.getMessage(), e);
    }
    Message resource = builder.build();
    if (Resources.getResourceName(resource).isEmpty()) {
      throw new ConfigLoadException(file, described + ": has no name ("
          + (resource instanceof ClusterLoadAssignment ? "cluster_name" : "name") + " is empty)");
    }
    return new LabeledResource(described, resource);
  }

  private static String nameOf(JsonObject fields) {
    for (String key : List.of("name", "cluster_name", "clusterName")) {
      JsonElement name = fields.get(key);
      if (name != null && name.isJsonPrimitive()) {
        return " \"" + name.getAsString() + "\"";
      }
    }
    return "";
  }

  /** Strict JSON: Gson's lenient mode would turn a typo such as an unquoted word into a string. */
  private static JsonElement parseJson(Path file, String text) throws ConfigLoadException {
    if (text.isBlank()) {
      throw new ConfigLoadException(file, "is empty");
    }
    try (JsonReader reader = new JsonReader(new StringReader(text))) {
      reader.setLenient(false);
      JsonElement element = GSON.getAdapter(JsonElement.class).read(reader);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw new ConfigLoadException(file, "not valid JSON: more than one top-level value");
      }
      return element;
    } catch (IOException | JsonParseException e) {
      String message = String.valueOf(e.getMessage())
          .replace("Use JsonReader.setLenient(true) to accept malformed JSON", "malformed JSON");
      throw new ConfigLoadException(file, "not valid JSON: " + message, e);
    }
  }

  private static List<JsonElement> parseYaml(Path file, String text) throws ConfigLoadException {
    List<JsonElement> documents = new ArrayList<>();
    try {
      for (Object document : newYaml().loadAll(text)) {
        if (document != null) {
          documents.add(GSON.toJsonTree(document));
        }
      }
    } catch (YAMLException e) {
      throw new ConfigLoadException(file, "not valid YAML: " + e.getMessage(), e);
    }
    return documents;
  }

  private static Yaml newYaml() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    return new Yaml(new StringTimestamps(options));
  }

  /** Keeps YAML timestamps as the strings they were written as: proto-JSON has no date type. */
  private static final class StringTimestamps extends SafeConstructor {
    StringTimestamps(LoaderOptions options) {
      super(options);
      yamlConstructors.put(Tag.TIMESTAMP, new ConstructYamlStr());
    }
  }

  /** A parsed resource and where it came from within its file, e.g. {@code resources[2] (Cluster "catalog-v1")}. */
  record LabeledResource(String label, Message resource) {}

  /** Groups resources by type and name, refusing a second resource of the same type and name. */
  private static final class Collector {
    private final Map<String, Listener> listeners = new LinkedHashMap<>();
    private final Map<String, RouteConfiguration> routes = new LinkedHashMap<>();
    private final Map<String, Cluster> clusters = new LinkedHashMap<>();
    private final Map<String, ClusterLoadAssignment> endpoints = new LinkedHashMap<>();
    private final Map<String, Secret> secrets = new LinkedHashMap<>();
    private final Map<String, Path> origins = new HashMap<>();

    void add(Path file, LabeledResource labeled) throws ConfigLoadException {
      Message resource = labeled.resource();
      String name = Resources.getResourceName(resource);
      String key = resource.getDescriptorForType().getFullName() + "/" + name;
      Path first = origins.putIfAbsent(key, file);
      if (first != null) {
        throw new ConfigLoadException(file, labeled.label() + ": a " + resource.getDescriptorForType().getName()
            + " named \"" + name + "\" is already defined in " + first.getFileName());
      }
      if (resource instanceof Listener listener) {
        listeners.put(name, listener);
      } else if (resource instanceof RouteConfiguration route) {
        routes.put(name, route);
      } else if (resource instanceof Cluster cluster) {
        clusters.put(name, cluster);
      } else if (resource instanceof ClusterLoadAssignment assignment) {
        endpoints.put(name, assignment);
      } else if (resource instanceof Secret secret) {
        secrets.put(name, secret);
      } else {
        throw new IllegalStateException("unexpected resource type " + resource.getDescriptorForType().getFullName());
      }
    }

    ResourceSet build() {
      return new ResourceSet(listeners, routes, clusters, endpoints, secrets);
    }
  }
}
