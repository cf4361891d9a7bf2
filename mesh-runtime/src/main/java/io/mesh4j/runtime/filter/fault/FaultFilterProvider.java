package io.mesh4j.runtime.filter.fault;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.mesh4j.runtime.filter.FilterConfig;
import io.mesh4j.runtime.filter.HttpFilterProvider;
import io.mesh4j.runtime.xds.FieldPath;
import io.mesh4j.runtime.xds.FieldAllowList;
import io.mesh4j.runtime.matcher.HeaderConditions;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.Map;
import java.util.Set;

/**
 * Decodes {@code envoy.extensions.filters.http.fault.v3.HTTPFault}, the same way for the HCM and for overrides.
 *
 * <p>Implemented: {@code delay} ({@code fixed_delay}, {@code header_delay}, {@code percentage}), {@code abort}
 * ({@code http_status} in [200, 600), {@code grpc_status}, {@code header_abort}, {@code percentage}),
 * {@code upstream_cluster}, {@code headers}, {@code downstream_nodes}, {@code max_active_faults}. Ignored (there is no
 * runtime, the configured values apply; or statistics only): the {@code *_runtime} keys,
 * {@code disable_downstream_cluster_stats}, {@code filter_metadata}. Rejected: {@code response_rate_limit}.
 */
public final class FaultFilterProvider implements HttpFilterProvider {
  public static final String TYPE_URL = "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault";

  private static final String NO_RUNTIME = "there is no runtime: the configured value applies";
  private static final FieldAllowList HTTP_FAULT =
      FieldAllowList.of(
          Set.of("delay", "abort", "upstream_cluster", "headers", "downstream_nodes", "max_active_faults"),
          Map.of(
              "delay_percent_runtime", NO_RUNTIME,
              "abort_percent_runtime", NO_RUNTIME,
              "delay_duration_runtime", NO_RUNTIME,
              "abort_http_status_runtime", NO_RUNTIME,
              "abort_grpc_status_runtime", NO_RUNTIME,
              "max_active_faults_runtime", NO_RUNTIME,
              "response_rate_limit_percent_runtime", NO_RUNTIME,
              "disable_downstream_cluster_stats", "statistics only",
              "filter_metadata", "only read by other filters' logs"));
  private static final FieldAllowList DELAY =
      FieldAllowList.of(Set.of("fixed_delay", "header_delay", "percentage"), Map.of());
  private static final FieldAllowList ABORT =
      FieldAllowList.of(Set.of("http_status", "grpc_status", "header_abort", "percentage"), Map.of());
  private static final FieldAllowList PERCENT = FieldAllowList.of(Set.of("numerator", "denominator"), Map.of());

  @Override
  public Set<String> typeUrls() {
    return Set.of(TYPE_URL);
  }

  @Override
  public FilterConfig parseBase(Any config, String path, DecodeContext context) throws ResourceInvalidException {
    return decode(unpack(config, path), path, context);
  }

  @Override
  public FilterConfig parseOverride(Any config, String path, DecodeContext context) throws ResourceInvalidException {
    return decode(unpack(config, path), path, context);
  }

  private static HTTPFault unpack(Any config, String path) throws ResourceInvalidException {
    try {
      return config.unpack(HTTPFault.class);
    } catch (InvalidProtocolBufferException e) {
      throw new ResourceInvalidException(path + ": cannot unpack HTTPFault: " + e.getMessage());
    }
  }

  /** @param path the config's field path, e.g. {@code http_filters[0].typed_config} */
  public static FaultConfig decode(HTTPFault fault, String path, DecodeContext context)
      throws ResourceInvalidException {
    HTTP_FAULT.check(fault, path, context);
    FaultConfig.Delay delay = fault.hasDelay() ? delay(fault.getDelay(), FieldPath.of(path, "delay"), context) : null;
    FaultConfig.Abort abort = fault.hasAbort() ? abort(fault.getAbort(), FieldPath.of(path, "abort"), context) : null;
    HeaderConditions headers = HeaderConditions.decode(fault.getHeadersList(), FieldPath.of(path, "headers"), context);
    long maxActive = fault.hasMaxActiveFaults() ? Integer.toUnsignedLong(fault.getMaxActiveFaults().getValue()) : -1;
    return new FaultConfig(
        delay, abort, fault.getUpstreamCluster(), headers, Set.copyOf(fault.getDownstreamNodesList()), maxActive);
  }

  private static FaultConfig.Delay delay(FaultDelay delay, String path, DecodeContext context)
      throws ResourceInvalidException {
    DELAY.check(delay, path, context);
    Percentage percentage = percentage(delay.hasPercentage(), delay.getPercentage(), path, context);
    switch (delay.getFaultDelaySecifierCase()) {
      case FIXED_DELAY:
        com.google.protobuf.Duration d = delay.getFixedDelay();
        if (d.getSeconds() < 0 || d.getNanos() < 0 || d.getNanos() > 999_999_999
            || (d.getSeconds() == 0 && d.getNanos() == 0)) {
          throw new ResourceInvalidException(
              FieldPath.of(path, "fixed_delay") + ": must be a positive duration, got " + d.getSeconds() + "s "
                  + d.getNanos() + "ns");
        }
        long nanos = d.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L
            ? Long.MAX_VALUE
            : d.getSeconds() * 1_000_000_000L + d.getNanos();
        return new FaultConfig.Delay(nanos, false, percentage);
      case HEADER_DELAY:
        return new FaultConfig.Delay(0, true, percentage);
      default:
        throw new ResourceInvalidException(path + ": one of fixed_delay, header_delay is required");
    }
  }

  private static FaultConfig.Abort abort(FaultAbort abort, String path, DecodeContext context)
      throws ResourceInvalidException {
    ABORT.check(abort, path, context);
    Percentage percentage = percentage(abort.hasPercentage(), abort.getPercentage(), path, context);
    switch (abort.getErrorTypeCase()) {
      case HTTP_STATUS:
        int status = abort.getHttpStatus();
        if (status < 200 || status >= 600) {
          throw new ResourceInvalidException(
              FieldPath.of(path, "http_status") + ": " + Integer.toUnsignedString(status) + " is not in [200, 600)");
        }
        return new FaultConfig.Abort(status, -1, false, percentage);
      case GRPC_STATUS:
        if (abort.getGrpcStatus() < 0) {
          throw new ResourceInvalidException(FieldPath.of(path, "grpc_status") + ": "
              + Integer.toUnsignedString(abort.getGrpcStatus()) + " is too large");
        }
        return new FaultConfig.Abort(-1, abort.getGrpcStatus(), false, percentage);
      case HEADER_ABORT:
        return new FaultConfig.Abort(-1, -1, true, percentage);
      default:
        throw new ResourceInvalidException(path + ": one of http_status, grpc_status, header_abort is required");
    }
  }

  private static Percentage percentage(boolean set, FractionalPercent percent, String parent, DecodeContext context)
      throws ResourceInvalidException {
    if (!set) {
      return Percentage.ZERO;
    }
    String path = FieldPath.of(parent, "percentage");
    PERCENT.check(percent, path, context);
    long denominator;
    switch (percent.getDenominator()) {
      case HUNDRED:
        denominator = 100;
        break;
      case TEN_THOUSAND:
        denominator = 10_000;
        break;
      case MILLION:
        denominator = 1_000_000;
        break;
      default:
        throw new ResourceInvalidException(
            FieldPath.of(path, "denominator") + ": unknown denominator " + percent.getDenominatorValue());
    }
    return new Percentage(Integer.toUnsignedLong(percent.getNumerator()), denominator);
  }
}
