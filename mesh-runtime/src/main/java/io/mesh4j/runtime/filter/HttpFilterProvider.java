package io.mesh4j.runtime.filter;

import com.google.protobuf.Any;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.Set;

/**
 * One kind of HTTP filter, known by the type URLs of its config messages. As in gRPC and Envoy the listener's config
 * (HCM {@code http_filters[].typed_config}) and the per-route override ({@code typed_per_filter_config}) are parsed
 * separately: a filter may accept different messages, or fewer fields, in an override.
 */
public interface HttpFilterProvider {

  /** The type URLs this provider decodes, for both base configs and overrides. */
  Set<String> typeUrls();

  /**
   * Decodes the HCM's config for this filter.
   *
   * @param path the field path of {@code config} for error messages
   * @throws ResourceInvalidException naming the field under {@code path} that is invalid or not supported
   */
  FilterConfig parseBase(Any config, String path, DecodeContext context) throws ResourceInvalidException;

  /** Decodes a {@code typed_per_filter_config} override for this filter (route, virtual host or weighted cluster). */
  FilterConfig parseOverride(Any config, String path, DecodeContext context) throws ResourceInvalidException;

  /** Whether the filter may stand in a client (API) listener's HCM, as gRPC's {@code Filter.Provider.isClientFilter}. */
  default boolean isClientFilter() {
    return true;
  }

  /** Whether the filter may stand in a server listener's HCM, as gRPC's {@code Filter.Provider.isServerFilter}. */
  default boolean isServerFilter() {
    return false;
  }
}
