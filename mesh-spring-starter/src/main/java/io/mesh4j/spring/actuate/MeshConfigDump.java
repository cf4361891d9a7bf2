package io.mesh4j.spring.actuate;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.load_balancing_policies.least_request.v3.LeastRequest;
import io.envoyproxy.envoy.extensions.load_balancing_policies.maglev.v3.Maglev;
import io.envoyproxy.envoy.extensions.load_balancing_policies.random.v3.Random;
import io.envoyproxy.envoy.extensions.load_balancing_policies.ring_hash.v3.RingHash;
import io.envoyproxy.envoy.extensions.load_balancing_policies.round_robin.v3.RoundRobin;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.mesh4j.Mesh;
import io.mesh4j.ResourceStatus;
import io.mesh4j.runtime.MeshInternals;
import io.mesh4j.runtime.xds.ResourceDump;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The config dump: every subscribed resource with its status and the last accepted resource as Envoy's proto JSON,
 * with secrets redacted (private keys, passwords, generic secrets, session ticket keys): what CSDS serves, readable.
 */
final class MeshConfigDump {
  static final String REDACTED = "[redacted]";
  /** Fields whose values are secrets wherever they appear (proto field names). */
  static final Set<String> SECRET_FIELDS = Set.of(
      "private_key", "password", "pkcs12", "generic_secret", "session_ticket_keys", "hmac_secret", "client_secret");

  /** The types that travel inside {@code Any} fields of the resources the mesh accepts. */
  private static final JsonFormat.TypeRegistry TYPES = JsonFormat.TypeRegistry.newBuilder()
      .add(HttpConnectionManager.getDescriptor())
      .add(Router.getDescriptor())
      .add(HTTPFault.getDescriptor())
      .add(RBAC.getDescriptor())
      .add(JwtAuthentication.getDescriptor())
      .add(UpstreamTlsContext.getDescriptor())
      .add(DownstreamTlsContext.getDescriptor())
      .add(Secret.getDescriptor())
      .add(RoundRobin.getDescriptor())
      .add(LeastRequest.getDescriptor())
      .add(Random.getDescriptor())
      .add(RingHash.getDescriptor())
      .add(Maglev.getDescriptor())
      // What istiod and other control planes also send, accepted or rejected by the mesh: printable either way.
      .add(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.load_balancing_policies.wrr_locality.v3.WrrLocality.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.load_balancing_policies.client_side_weighted_round_robin.v3
          .ClientSideWeightedRoundRobin.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.load_balancing_policies.pick_first.v3.PickFirst.getDescriptor())
      .add(com.github.xds.type.v3.TypedStruct.getDescriptor())
      .add(com.github.udpa.udpa.type.v1.TypedStruct.getDescriptor())
      .build();
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().usingTypeRegistry(TYPES).preservingProtoFieldNames().omittingInsignificantWhitespace();

  private MeshConfigDump() {}

  static Map<String, Object> of(Mesh mesh) {
    List<Map<String, Object>> resources = new ArrayList<>();
    if (mesh instanceof MeshInternals internals) {
      for (ResourceDump dump : internals.xdsClient().dump()) {
        resources.add(entry(dump.status(), dump.resource()));
      }
    } else {
      // Another runtime: the status is all there is.
      for (ResourceStatus status : mesh.status().resources()) {
        resources.add(entry(status, null));
      }
    }
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("controlPlane", mesh.status().controlPlane());
    view.put("resources", resources);
    return view;
  }

  private static Map<String, Object> entry(ResourceStatus status, Message resource) {
    Map<String, Object> entry = MeshStatusView.resource(status);
    if (resource != null) {
      try {
        entry.put("resource", resourceView(resource));
      } catch (InvalidProtocolBufferException e) {
        // A typed config of a type not registered above: say so rather than print it half-decoded.
        entry.put("resourceError", "cannot print: " + e.getMessage());
      }
    }
    return entry;
  }

  /** {@code resource} as Envoy's proto JSON (proto field names), secrets redacted, as maps and lists. */
  static Object resourceView(Message resource) throws InvalidProtocolBufferException {
    return toJava(redact(JsonParser.parseString(PRINTER.print(resource))));
  }

  static JsonElement redact(JsonElement element) {
    if (element.isJsonObject()) {
      JsonObject object = element.getAsJsonObject();
      for (String key : new ArrayList<>(object.keySet())) {
        if (SECRET_FIELDS.contains(key)) {
          object.add(key, new JsonPrimitive(REDACTED));
        } else {
          redact(object.get(key));
        }
      }
    } else if (element.isJsonArray()) {
      for (JsonElement item : element.getAsJsonArray()) {
        redact(item);
      }
    }
    return element;
  }

  static Object toJava(JsonElement element) {
    if (element == null || element.isJsonNull()) {
      return null;
    }
    if (element.isJsonObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      for (Map.Entry<String, JsonElement> field : element.getAsJsonObject().entrySet()) {
        map.put(field.getKey(), toJava(field.getValue()));
      }
      return map;
    }
    if (element.isJsonArray()) {
      JsonArray array = element.getAsJsonArray();
      List<Object> list = new ArrayList<>(array.size());
      for (JsonElement item : array) {
        list.add(toJava(item));
      }
      return list;
    }
    JsonPrimitive primitive = element.getAsJsonPrimitive();
    if (primitive.isBoolean()) {
      return primitive.getAsBoolean();
    }
    if (primitive.isNumber()) {
      return primitive.getAsNumber();
    }
    return primitive.getAsString();
  }
}
