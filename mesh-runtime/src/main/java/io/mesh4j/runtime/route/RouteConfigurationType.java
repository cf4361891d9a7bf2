package io.mesh4j.runtime.route;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.mesh4j.runtime.filter.FilterRegistry;
import io.mesh4j.runtime.filter.builtin.BuiltInFilters;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import io.mesh4j.runtime.xds.XdsResourceType;

/**
 * RDS: {@code envoy.config.route.v3.RouteConfiguration} decoded into a compiled {@link RouteTable}. What is
 * implemented, ignored and rejected is listed on {@link RouteConfigurationDecoder}.
 */
public final class RouteConfigurationType extends XdsResourceType<RouteTable> {
  public static final String TYPE_URL = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";

  public static final RouteConfigurationType INSTANCE = new RouteConfigurationType(BuiltInFilters.REGISTRY);

  private final FilterRegistry filters;

  private RouteConfigurationType(FilterRegistry filters) {
    this.filters = filters;
  }

  /** RDS decoding {@code typed_per_filter_config} through {@code filters} (tests register filters of their own). */
  public static RouteConfigurationType withFilters(FilterRegistry filters) {
    return new RouteConfigurationType(filters);
  }

  /** For listeners with an inline {@code route_config}, with the filters of their HCM. */
  public static RouteTable decodeRouteConfiguration(RouteConfiguration config, FilterRegistry filters,
      DecodeContext context) throws ResourceInvalidException {
    return RouteConfigurationDecoder.decode(config, filters, context);
  }

  /** For listeners with an inline {@code route_config}; the same validation as for RDS. */
  public static RouteTable decodeRouteConfiguration(RouteConfiguration config, DecodeContext context)
      throws ResourceInvalidException {
    return RouteConfigurationDecoder.decode(config, context);
  }

  @Override
  public String typeUrl() {
    return TYPE_URL;
  }

  @Override
  public String shortName() {
    return "RDS";
  }

  @Override
  public Class<RouteConfiguration> messageClass() {
    return RouteConfiguration.class;
  }

  /** Takes the virtual hosts whose bytes are unchanged from {@code previous} (see {@link RouteConfigurationParser}). */
  @Override
  public Message parse(ByteString bytes, ByteString previousBytes, Message previous)
      throws InvalidProtocolBufferException {
    return RouteConfigurationParser.parse(bytes, previousBytes, (RouteConfiguration) previous);
  }

  @Override
  protected int nameFieldNumber() {
    return RouteConfiguration.NAME_FIELD_NUMBER;
  }

  @Override
  public boolean isFullStateOfTheWorld() {
    return false;
  }

  @Override
  public String name(Message message) {
    return ((RouteConfiguration) message).getName();
  }

  @Override
  public RouteTable decode(Message message, DecodeContext context) throws ResourceInvalidException {
    return RouteConfigurationDecoder.decode((RouteConfiguration) message, filters, null, context);
  }

  /** Reuses the previous table's virtual hosts whose protos are unchanged (see {@link RouteConfigurationDecoder}). */
  @Override
  public RouteTable decode(Message message, RouteTable previous, DecodeContext context)
      throws ResourceInvalidException {
    return RouteConfigurationDecoder.decode((RouteConfiguration) message, filters, previous, context);
  }
}
