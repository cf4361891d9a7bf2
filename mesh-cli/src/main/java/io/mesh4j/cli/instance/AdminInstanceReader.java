package io.mesh4j.cli.instance;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBACPerRoute;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.mesh4j.cli.instance.InstanceResource.ClientState;
import io.mesh4j.cli.xds.ResourceContent;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an instance on its admin endpoint ({@code MeshBuilder.adminPort}, plain HTTP): {@code /status} for each
 * subscribed resource's version, state and NACK error, the control plane it talks to and the fields it ignored;
 * {@code /config_dump} for its node (the bootstrap section) and the resources it holds, so that the same resource
 * under another version label still counts as in sync.
 */
public final class AdminInstanceReader implements InstanceReader {
  /** What an instance's {@code /config_dump} may nest in its resources; a resource it cannot read has no body. */
  private static final JsonFormat.TypeRegistry TYPES = JsonFormat.TypeRegistry.newBuilder()
      .add(List.of(Listener.getDescriptor(), Cluster.getDescriptor(), RouteConfiguration.getDescriptor(),
          ClusterLoadAssignment.getDescriptor(), HttpConnectionManager.getDescriptor(), Router.getDescriptor(),
          HTTPFault.getDescriptor(), RBAC.getDescriptor(), RBACPerRoute.getDescriptor(),
          JwtAuthentication.getDescriptor(), UpstreamTlsContext.getDescriptor(),
          DownstreamTlsContext.getDescriptor()))
      .build();
  private static final String BOOTSTRAP = "type.googleapis.com/envoy.admin.v3.BootstrapConfigDump";

  /** The port answered HTTP, but not as a mesh4j admin endpoint. */
  static final class NotAnAdminEndpoint extends InstanceReadException {
    NotAnAdminEndpoint(String message) {
      super(message);
    }
  }

  private final Duration timeout;
  private final HttpClient http;

  public AdminInstanceReader(Duration timeout) {
    this.timeout = timeout;
    // HTTP/1.1 only: the admin endpoint speaks nothing else, and a CSDS (gRPC) port then fails fast.
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
  }

  @Override
  public InstanceStatus read(String address) throws InstanceReadException {
    JsonObject status = getJson(address, "/status");
    JsonObject dump = getJson(address, "/config_dump");
    if (!status.has("resources") || !status.get("resources").isJsonArray()) {
      throw new NotAnAdminEndpoint("admin endpoint at " + address + ": /status has no resources list");
    }
    Map<String, Any> bodies = new HashMap<>();
    Node node = Node.getDefaultInstance();
    for (JsonElement config : array(dump, "configs")) {
      JsonObject section = config.getAsJsonObject();
      if (BOOTSTRAP.equals(string(section, "@type"))) {
        node = node(section, address);
      } else {
        collectBodies(section, bodies);
      }
    }
    List<InstanceResource> resources = new ArrayList<>();
    for (JsonElement element : status.getAsJsonArray("resources")) {
      JsonObject r = element.getAsJsonObject();
      String typeUrl = string(r, "typeUrl");
      String name = string(r, "name");
      String version = string(r, "version");
      resources.add(new InstanceResource(typeUrl, name, version == null ? "" : version, state(string(r, "state")),
          string(r, "errorDetail"), null, instant(string(r, "lastUpdated")),
          bodies.get(typeUrl + ' ' + name)));
    }
    List<String> ignored = new ArrayList<>();
    for (JsonElement field : array(status, "ignoredFields")) {
      ignored.add(field.getAsString());
    }
    return new InstanceStatus(address, node, string(status, "controlPlane"), resources, ignored, "admin");
  }

  private JsonObject getJson(String address, String path) throws InstanceReadException {
    HttpResponse<String> response;
    try {
      response = http.send(HttpRequest.newBuilder(URI.create("http://" + address + path)).timeout(timeout).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new InstanceReadException("admin endpoint at " + address + ": connection refused", e);
    } catch (HttpTimeoutException e) {
      throw new InstanceReadException("admin endpoint at " + address + ": no answer within " + timeout, e);
    } catch (IOException | IllegalArgumentException e) {
      throw new InstanceReadException("admin endpoint at " + address + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InstanceReadException("admin endpoint at " + address + ": interrupted", e);
    }
    if (response.statusCode() != 200) {
      throw new NotAnAdminEndpoint("admin endpoint at " + address + ": " + path + " answered "
          + response.statusCode());
    }
    try {
      JsonElement json = JsonParser.parseString(response.body());
      if (!json.isJsonObject()) {
        throw new NotAnAdminEndpoint("admin endpoint at " + address + ": " + path + " is not a JSON object");
      }
      return json.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new NotAnAdminEndpoint("admin endpoint at " + address + ": " + path + " is not JSON");
    }
  }

  private static Node node(JsonObject bootstrapDump, String address) throws InstanceReadException {
    JsonObject bootstrap = object(bootstrapDump, "bootstrap");
    JsonObject node = bootstrap == null ? null : object(bootstrap, "node");
    if (node == null) {
      return Node.getDefaultInstance();
    }
    Node.Builder out = Node.newBuilder();
    try {
      JsonFormat.parser().ignoringUnknownFields().merge(node.toString(), out);
    } catch (InvalidProtocolBufferException e) {
      throw new NotAnAdminEndpoint("admin endpoint at " + address + ": unreadable node in /config_dump: "
          + e.getMessage());
    }
    return out.build();
  }

  /** Every resource body ({@code "@type"} of a type meshctl reads) in a section of the dump, by type and name. */
  private static void collectBodies(JsonElement element, Map<String, Any> bodies) {
    if (element.isJsonArray()) {
      element.getAsJsonArray().forEach(e -> collectBodies(e, bodies));
      return;
    }
    if (!element.isJsonObject()) {
      return;
    }
    JsonObject object = element.getAsJsonObject();
    String type = string(object, "@type");
    if (type != null && ResourceContent.known(type) && !type.equals(ResourceContent.SECRET)) {
      try {
        Any.Builder any = Any.newBuilder();
        JsonFormat.parser().usingTypeRegistry(TYPES).merge(object.toString(), any);
        String name = ResourceContent.name(any.build());
        if (name != null) {
          bodies.put(type + ' ' + name, any.build());
        }
      } catch (InvalidProtocolBufferException e) {
        // A type nested inside that meshctl does not know: compared by version alone.
      }
      return;
    }
    object.entrySet().forEach(entry -> collectBodies(entry.getValue(), bodies));
  }

  /** {@code /status}'s states; a resource served from the persisted cache is still awaited, as CSDS says too. */
  private static ClientState state(String state) {
    if (state == null) {
      return ClientState.UNKNOWN;
    }
    switch (state) {
      case "REQUESTED":
      case "CACHED":
        return ClientState.REQUESTED;
      case "DOES_NOT_EXIST":
        return ClientState.DOES_NOT_EXIST;
      case "ACKED":
        return ClientState.ACKED;
      case "NACKED":
        return ClientState.NACKED;
      default:
        return ClientState.UNKNOWN;
    }
  }

  private static Instant instant(String text) {
    try {
      return text == null ? null : Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static JsonArray array(JsonObject object, String key) {
    JsonElement value = object.get(key);
    return value != null && value.isJsonArray() ? value.getAsJsonArray() : new JsonArray();
  }

  private static JsonObject object(JsonObject object, String key) {
    JsonElement value = object.get(key);
    return value != null && value.isJsonObject() ? value.getAsJsonObject() : null;
  }

  private static String string(JsonObject object, String key) {
    JsonElement value = object.get(key);
    return value != null && value.isJsonPrimitive() ? value.getAsString() : null;
  }

  @Override
  public void close() {
    // HttpClient keeps no connection a JVM exit would wait for.
  }
}
