package io.mesh4j.runtime.filter.rbac;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.ResourceInvalidException;

/** RBAC protos from proto-JSON (Envoy's field names, single or double quotes), decoded through the real decoders. */
final class RbacProtos {
  private RbacProtos() {}

  static <T extends Message> T parse(String json, Message.Builder builder, Class<T> type) {
    try {
      // Single quotes read better inside Java strings; no test value contains one.
      JsonFormat.parser().merge(json.replace('\'', '"'), builder);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("bad test JSON: " + e.getMessage() + "\n" + json, e);
    }
    return type.cast(builder.build());
  }

  static RBAC filter(String json) {
    return parse(json, RBAC.newBuilder(), RBAC.class);
  }

  static io.envoyproxy.envoy.config.rbac.v3.RBAC rules(String json) {
    return parse(json, io.envoyproxy.envoy.config.rbac.v3.RBAC.newBuilder(),
        io.envoyproxy.envoy.config.rbac.v3.RBAC.class);
  }

  static RbacConfig config(String json) throws ResourceInvalidException {
    return RbacFilterProvider.decode(filter(json), "typed_config", DecodeContext.discarding());
  }

  static RbacEngine engine(String rulesJson) throws ResourceInvalidException {
    return RbacPolicyDecoder.decode(rules(rulesJson), "rules", DecodeContext.discarding());
  }

  static RbacMatcher permission(String json) throws ResourceInvalidException {
    return RbacPolicyDecoder.permission(
        parse(json, Permission.newBuilder(), Permission.class), "permission", DecodeContext.discarding());
  }

  static RbacMatcher principal(String json) throws ResourceInvalidException {
    return RbacPolicyDecoder.principal(
        parse(json, Principal.newBuilder(), Principal.class), "principal", DecodeContext.discarding());
  }
}
