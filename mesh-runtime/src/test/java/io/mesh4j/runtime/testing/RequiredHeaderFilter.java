package io.mesh4j.runtime.testing;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.StringValue;
import io.mesh4j.runtime.filter.FilterConfig;
import io.mesh4j.runtime.filter.HttpFilterProvider;
import io.mesh4j.runtime.inbound.InboundFilterConfig;
import io.mesh4j.runtime.inbound.InboundReply;
import io.mesh4j.runtime.inbound.InboundRequest;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.Map;
import java.util.Set;

/**
 * A test-only server filter: its config (a {@code google.protobuf.StringValue}) names a header the request must
 * carry, else it is answered 403 {@code missing <header>}. Per-route overrides name another header.
 */
public final class RequiredHeaderFilter implements HttpFilterProvider {
  public static final String TYPE_URL = "type.googleapis.com/google.protobuf.StringValue";

  /** The filter's HCM entry. */
  public static io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter filter(
      String name, String header) {
    return io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter.newBuilder()
        .setName(name).setTypedConfig(Any.pack(StringValue.of(header))).build();
  }

  public record Config(String header) implements InboundFilterConfig {
    @Override
    public String typeUrl() {
      return TYPE_URL;
    }

    @Override
    public InboundReply onRequest(InboundRequest request) {
      return request.header(header) != null ? null
          : new InboundReply(403, "missing " + header, Map.of(), "required header " + header);
    }
  }

  @Override
  public Set<String> typeUrls() {
    return Set.of(TYPE_URL);
  }

  @Override
  public FilterConfig parseBase(Any config, String path, DecodeContext context) throws ResourceInvalidException {
    try {
      return new Config(config.unpack(StringValue.class).getValue());
    } catch (InvalidProtocolBufferException e) {
      throw new ResourceInvalidException(path + ": " + e.getMessage());
    }
  }

  @Override
  public FilterConfig parseOverride(Any config, String path, DecodeContext context) throws ResourceInvalidException {
    return parseBase(config, path, context);
  }

  @Override
  public boolean isClientFilter() {
    return false;
  }

  @Override
  public boolean isServerFilter() {
    return true;
  }
}
