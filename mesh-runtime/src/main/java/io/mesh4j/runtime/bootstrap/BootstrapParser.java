package io.mesh4j.runtime.bootstrap;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import io.mesh4j.MeshConfigurationException;
import java.io.File;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and validates gRPC xDS bootstrap JSON. Every error is a {@link MeshConfigurationException} whose message
 * names the field, e.g. {@code bootstrap: xds_servers[0].server_uri: missing}. Unknown fields are ignored, as gRPC
 * does, so bootstraps written for newer gRPC versions still load.
 */
public final class BootstrapParser {
  /** The node's client features: we unpack resources wrapped in {@code envoy.service.discovery.v3.Resource}. */
  static final List<String> CLIENT_FEATURES = List.of("xds.config.resource-in-sotw");

  private static final String USER_AGENT = "mesh4j";

  private BootstrapParser() {}

  /** Parses bootstrap JSON; {@code origin} (a path or "inline JSON") only appears in messages. */
  public static Bootstrap parse(String json, String origin) {
    JsonObject root = object(readJson(json, origin), "(root)");
    List<XdsServer> servers = servers(root);
    Node node = node(root);
    Map<String, CertificateProviderConfig> providers = certificateProviders(root);
    String serverTemplate = optionalString(root, "server_listener_resource_name_template", "");
    String clientTemplate = optionalString(root, "client_default_listener_resource_name_template", "");
    if (clientTemplate == null) {
      clientTemplate = "%s";
    } else if (clientTemplate.startsWith("xdstp:")) {
      throw error("client_default_listener_resource_name_template", "xdstp names (federation) are not supported");
    }
    JsonElement authorities = root.get("authorities");
    if (authorities != null && !authorities.isJsonNull()) {
      if (!object(authorities, "authorities").entrySet().isEmpty()) {
        throw error("authorities", "xDS federation is not supported; remove the authorities");
      }
    }
    return new Bootstrap(servers, node, providers, serverTemplate, clientTemplate);
  }

  private static JsonElement readJson(String json, String origin) {
    try {
      JsonReader reader = new JsonReader(new StringReader(json));
      reader.setLenient(false);
      JsonElement element = new Gson().getAdapter(JsonElement.class).read(reader);
      boolean trailing;
      try {
        trailing = reader.peek() != JsonToken.END_DOCUMENT;
      } catch (IOException e) {
        trailing = true;
      }
      if (trailing) {
        throw new MeshConfigurationException(
            "bootstrap: invalid JSON in " + origin + ": trailing data after the value, " + where(reader));
      }
      return element;
    } catch (IOException | RuntimeException e) {
      if (e instanceof MeshConfigurationException mce) {
        throw mce;
      }
      throw new MeshConfigurationException(
          "bootstrap: invalid JSON in " + origin + ": " + readable(String.valueOf(e.getMessage())), e);
    }
  }

  /** Gson's messages advise lenient parsing, which is not the reader's fix; keep the part that says where. */
  private static String readable(String gsonMessage) {
    return gsonMessage.replace("Use JsonReader.setLenient(true) to accept malformed JSON", "malformed JSON");
  }

  private static String where(JsonReader reader) {
    String s = reader.toString(); // "JsonReader at line L column C path P"
    int at = s.indexOf("at line");
    return at < 0 ? s : s.substring(at);
  }

  private static List<XdsServer> servers(JsonObject root) {
    JsonElement element = root.get("xds_servers");
    if (element == null || element.isJsonNull()) {
      throw error("xds_servers", "missing");
    }
    JsonArray array = array(element, "xds_servers");
    if (array.isEmpty()) {
      throw error("xds_servers", "must name at least one server");
    }
    List<XdsServer> servers = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      String path = "xds_servers[" + i + "]";
      JsonObject server = object(array.get(i), path);
      String uri = requiredString(server, "server_uri", path + ".");
      List<String> features = stringList(server, "server_features", path + ".");
      JsonElement creds = server.get("channel_creds");
      if (creds == null || creds.isJsonNull()) {
        throw error(path + ".channel_creds", "missing");
      }
      servers.add(credentials(array(creds, path + ".channel_creds"), path + ".channel_creds", uri, features));
    }
    return servers;
  }

  /** Uses the first entry whose type we support, as gRPC does; unsupported types are skipped. */
  private static XdsServer credentials(JsonArray creds, String path, String uri, List<String> features) {
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < creds.size(); i++) {
      String entryPath = path + "[" + i + "]";
      JsonObject entry = object(creds.get(i), entryPath);
      String type = requiredString(entry, "type", entryPath + ".");
      seen.add(type);
      JsonElement config = entry.get("config");
      switch (type) {
        case "insecure":
          return new XdsServer(uri, InsecureChannelCredentials.create(), type, features);
        case "tls":
          JsonObject tlsConfig = config == null || config.isJsonNull() ? new JsonObject() : object(config, entryPath + ".config");
          return new XdsServer(uri, tls(tlsConfig, entryPath + ".config."), type, features);
        default:
          // e.g. google_default: needs Google's auth libraries, which we do not ship. Try the next entry.
      }
    }
    throw error(path, "no supported type (insecure, tls) among " + seen);
  }

  private static ChannelCredentials tls(JsonObject config, String path) {
    String ca = optionalString(config, "ca_certificate_file", path);
    String cert = optionalString(config, "certificate_file", path);
    String key = optionalString(config, "private_key_file", path);
    if ((cert == null) != (key == null)) {
      throw error(path + (cert == null ? "certificate_file" : "private_key_file"),
          "missing: certificate_file and private_key_file go together");
    }
    TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder();
    if (ca != null) {
      try {
        builder.trustManager(new File(ca));
      } catch (IOException | RuntimeException e) {
        throw error(path + "ca_certificate_file", "cannot read " + ca + ": " + e.getMessage());
      }
    }
    if (cert != null) {
      try {
        builder.keyManager(new File(cert), new File(key));
      } catch (IOException | RuntimeException e) {
        throw error(path + "certificate_file", "cannot read " + cert + " with key " + key + ": " + e.getMessage());
      }
    }
    return builder.build();
  }

  private static Node node(JsonObject root) {
    Node.Builder node =
        Node.newBuilder()
            .setUserAgentName(USER_AGENT)
            .setUserAgentVersion(version())
            .addAllClientFeatures(CLIENT_FEATURES);
    JsonElement element = root.get("node");
    if (element == null || element.isJsonNull()) {
      return node.build();
    }
    JsonObject json = object(element, "node");
    String id = optionalString(json, "id", "node.");
    if (id != null) {
      node.setId(id);
    }
    String cluster = optionalString(json, "cluster", "node.");
    if (cluster != null) {
      node.setCluster(cluster);
    }
    JsonElement locality = json.get("locality");
    if (locality != null && !locality.isJsonNull()) {
      JsonObject l = object(locality, "node.locality");
      Locality.Builder b = Locality.newBuilder();
      String region = optionalString(l, "region", "node.locality.");
      String zone = optionalString(l, "zone", "node.locality.");
      String subZone = optionalString(l, "sub_zone", "node.locality.");
      if (region != null) {
        b.setRegion(region);
      }
      if (zone != null) {
        b.setZone(zone);
      }
      if (subZone != null) {
        b.setSubZone(subZone);
      }
      node.setLocality(b);
    }
    JsonElement metadata = json.get("metadata");
    if (metadata != null && !metadata.isJsonNull()) {
      node.setMetadata(struct(object(metadata, "node.metadata")));
    }
    return node.build();
  }

  private static Map<String, CertificateProviderConfig> certificateProviders(JsonObject root) {
    JsonElement element = root.get("certificate_providers");
    Map<String, CertificateProviderConfig> providers = new LinkedHashMap<>();
    if (element == null || element.isJsonNull()) {
      return providers;
    }
    for (Map.Entry<String, JsonElement> e : object(element, "certificate_providers").entrySet()) {
      String path = "certificate_providers." + e.getKey();
      JsonObject provider = object(e.getValue(), path);
      String plugin = requiredString(provider, "plugin_name", path + ".");
      JsonElement config = provider.get("config");
      Map<String, Object> configMap =
          config == null || config.isJsonNull() ? Map.of() : plain(object(config, path + ".config"));
      providers.put(e.getKey(), new CertificateProviderConfig(plugin, configMap));
    }
    return providers;
  }

  private static Struct struct(JsonObject object) {
    Struct.Builder struct = Struct.newBuilder();
    for (Map.Entry<String, JsonElement> e : object.entrySet()) {
      struct.putFields(e.getKey(), value(e.getValue()));
    }
    return struct.build();
  }

  private static Value value(JsonElement element) {
    if (element.isJsonNull()) {
      return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
    }
    if (element.isJsonObject()) {
      return Value.newBuilder().setStructValue(struct(element.getAsJsonObject())).build();
    }
    if (element.isJsonArray()) {
      ListValue.Builder list = ListValue.newBuilder();
      element.getAsJsonArray().forEach(item -> list.addValues(value(item)));
      return Value.newBuilder().setListValue(list).build();
    }
    JsonPrimitive p = element.getAsJsonPrimitive();
    if (p.isBoolean()) {
      return Value.newBuilder().setBoolValue(p.getAsBoolean()).build();
    }
    if (p.isNumber()) {
      return Value.newBuilder().setNumberValue(p.getAsDouble()).build();
    }
    return Value.newBuilder().setStringValue(p.getAsString()).build();
  }

  private static Map<String, Object> plain(JsonObject object) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : object.entrySet()) {
      map.put(e.getKey(), plain(e.getValue()));
    }
    return map;
  }

  private static Object plain(JsonElement element) {
    if (element.isJsonNull()) {
      return null;
    }
    if (element.isJsonObject()) {
      return plain(element.getAsJsonObject());
    }
    if (element.isJsonArray()) {
      List<Object> list = new ArrayList<>();
      element.getAsJsonArray().forEach(item -> list.add(plain(item)));
      return java.util.Collections.unmodifiableList(list);
    }
    JsonPrimitive p = element.getAsJsonPrimitive();
    if (p.isBoolean()) {
      return p.getAsBoolean();
    }
    if (p.isNumber()) {
      return p.getAsDouble();
    }
    return p.getAsString();
  }

  private static String requiredString(JsonObject object, String field, String prefix) {
    String value = optionalString(object, field, prefix);
    if (value == null) {
      throw error(prefix + field, "missing");
    }
    if (value.isEmpty()) {
      throw error(prefix + field, "must not be empty");
    }
    return value;
  }

  private static String optionalString(JsonObject object, String field, String prefix) {
    JsonElement element = object.get(field);
    if (element == null || element.isJsonNull()) {
      return null;
    }
    if (!element.isJsonPrimitive() || !element.getAsJsonPrimitive().isString()) {
      throw error(prefix + field, "expected a string");
    }
    return element.getAsString();
  }

  private static List<String> stringList(JsonObject object, String field, String prefix) {
    JsonElement element = object.get(field);
    List<String> list = new ArrayList<>();
    if (element == null || element.isJsonNull()) {
      return list;
    }
    JsonArray array = array(element, prefix + field);
    for (int i = 0; i < array.size(); i++) {
      JsonElement item = array.get(i);
      if (!item.isJsonPrimitive() || !item.getAsJsonPrimitive().isString()) {
        throw error(prefix + field + "[" + i + "]", "expected a string");
      }
      list.add(item.getAsString());
    }
    return list;
  }

  private static JsonObject object(JsonElement element, String path) {
    if (!element.isJsonObject()) {
      throw error(path, "expected an object");
    }
    return element.getAsJsonObject();
  }

  private static JsonArray array(JsonElement element, String path) {
    if (!element.isJsonArray()) {
      throw error(path, "expected an array");
    }
    return element.getAsJsonArray();
  }

  private static MeshConfigurationException error(String path, String problem) {
    return new MeshConfigurationException("bootstrap: " + path + ": " + problem);
  }

  private static String version() {
    String v = BootstrapParser.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
