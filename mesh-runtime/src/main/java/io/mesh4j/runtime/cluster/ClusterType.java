package io.mesh4j.runtime.cluster;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.mesh4j.runtime.model.CircuitBreakerThresholds;
import io.mesh4j.runtime.model.ClusterResource;
import io.mesh4j.runtime.model.LoadBalancerConfig;
import io.mesh4j.runtime.model.OutlierDetectionConfig;
import io.mesh4j.runtime.model.UpstreamTlsConfig;
import io.mesh4j.runtime.security.UpstreamTlsContextDecoder;
import io.mesh4j.runtime.xds.ConfigSources;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.FieldAllowList;
import io.mesh4j.runtime.xds.ProtoDurations;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import io.mesh4j.runtime.xds.XdsResourceType;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * CDS: EDS clusters and their load balancing.
 *
 * <p>Load balancing ({@code lb_policy}, {@code load_balancing_policy}, {@code common_lb_config} and the
 * {@code *_lb_config}s) is decoded by {@link LbPolicyDecoder}, which lists what it implements and rejects.
 *
 * <p>Rejected for now (later work adds them): discovery types other than EDS and {@code cluster_type} (aggregate);
 * {@code transport_socket_matches}; {@code health_checks};
 * {@code lb_subset_config}; {@code round_robin_lb_config} (slow start); upstream {@code filters};
 * {@code upstream_config}; {@code max_stream_duration} and upstream {@code http_filters} in (typed) HTTP protocol
 * options; the parts of {@code circuit_breakers} and {@code outlier_detection} that {@link ClusterPolicyDecoder}
 * rejects. Every field not listed as ignorable is rejected.
 *
 * <p>{@code circuit_breakers} and {@code outlier_detection} are decoded by {@link ClusterPolicyDecoder} into the
 * {@link ClusterResource} and enforced on the request path (see {@code io.mesh4j.runtime.policy}).
 */
public final class ClusterType extends XdsResourceType<ClusterResource> {
  public static final String TYPE_URL = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  /** Without bootstrap certificate providers: a cluster naming a provider instance is rejected. */
  public static final ClusterType INSTANCE = new ClusterType(Set.of());

  private static final Set<String> HANDLED =
      Set.of("name", "type", "eds_cluster_config", "connect_timeout", "lb_policy", "load_balancing_policy",
          "circuit_breakers", "outlier_detection", "common_http_protocol_options",
          "typed_extension_protocol_options", "transport_socket", "common_lb_config", "least_request_lb_config",
          "ring_hash_lb_config", "maglev_lb_config");

  /** Connection tuning, DNS settings that EDS clusters do not use, stats, and metadata. */
  static final Set<String> IGNORABLE =
      Set.of("alt_stat_name", "per_connection_buffer_limit_bytes", "load_assignment", "max_requests_per_connection",
          "upstream_http_protocol_options", "http_protocol_options", "http2_protocol_options",
          "dns_refresh_rate", "dns_jitter", "dns_failure_refresh_rate",
          "respect_dns_ttl", "dns_lookup_family", "dns_resolvers", "use_tcp_for_dns_lookups",
          "dns_resolution_config", "typed_dns_resolver_config", "wait_for_warm_on_init", "cleanup_interval",
          "upstream_bind_config", "original_dst_lb_config", "metadata", "protocol_selection",
          "upstream_connection_options", "close_connections_on_host_health_failure",
          "ignore_health_on_host_removal", "lrs_server", "lrs_report_endpoint_metrics", "track_timeout_budgets",
          "track_cluster_stats", "preconnect_policy", "connection_pool_per_downstream_connection");

  private static final Set<String> HTTP_OPTIONS_IGNORABLE =
      Set.of("idle_timeout", "max_connection_duration", "max_headers_count", "max_response_headers_kb",
          "headers_with_underscores_action", "max_requests_per_connection");

  private static final String UPSTREAM_HTTP_OPTIONS_KEY = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";
  private static final Set<String> UPSTREAM_HTTP_OPTIONS_IGNORABLE =
      Set.of("upstream_http_protocol_options", "explicit_http_config", "use_downstream_protocol_config",
          "auto_config", "header_validation_config");

  /** The bootstrap's {@code certificate_providers} instance names, which TLS contexts may refer to. */
  private final Set<String> certificateProviderInstances;

  private ClusterType(Set<String> certificateProviderInstances) {
    this.certificateProviderInstances = Set.copyOf(certificateProviderInstances);
  }

  /** A decoder accepting TLS contexts that name these bootstrap {@code certificate_providers} instances. */
  public static ClusterType withCertificateProviders(Set<String> instanceNames) {
    return new ClusterType(instanceNames);
  }

  @Override
  public String typeUrl() {
    return TYPE_URL;
  }

  @Override
  public String shortName() {
    return "CDS";
  }

  @Override
  public Class<? extends Message> messageClass() {
    return Cluster.class;
  }

  @Override
  protected int nameFieldNumber() {
    return Cluster.NAME_FIELD_NUMBER;
  }

  @Override
  public boolean isFullStateOfTheWorld() {
    return true;
  }

  @Override
  public String name(Message message) {
    return ((Cluster) message).getName();
  }

  @Override
  public ClusterResource decode(Message message, DecodeContext context) throws ResourceInvalidException {
    Cluster cluster = (Cluster) message;
    if (cluster.hasClusterType()) {
      throw new ResourceInvalidException(
          "cluster_type: " + cluster.getClusterType().getName() + " is not supported yet");
    }
    if (cluster.getType() != Cluster.DiscoveryType.EDS) {
      throw new ResourceInvalidException("type: " + cluster.getType() + " is not supported yet (only EDS)");
    }
    FieldAllowList.check(cluster, "", HANDLED, IGNORABLE, "CDS", context);
    Cluster.EdsClusterConfig eds = cluster.getEdsClusterConfig();
    if (eds.hasEdsConfig()) {
      ConfigSources.requireAds(eds.getEdsConfig(), "eds_cluster_config.eds_config", true);
    }
    String serviceName = eds.getServiceName().isEmpty() ? cluster.getName() : eds.getServiceName();
    if (serviceName.startsWith("xdstp:")) {
      throw new ResourceInvalidException("eds_cluster_config.service_name: xdstp names are not supported");
    }
    LoadBalancerConfig loadBalancer = LbPolicyDecoder.decode(cluster, context);
    CircuitBreakerThresholds breakers = cluster.hasCircuitBreakers()
        ? ClusterPolicyDecoder.circuitBreakers(cluster.getCircuitBreakers(), context)
        : CircuitBreakerThresholds.DEFAULT;
    OutlierDetectionConfig outlierDetection = cluster.hasOutlierDetection()
        ? ClusterPolicyDecoder.outlierDetection(cluster.getOutlierDetection(), context)
        : null;
    checkHttpProtocolOptions(cluster, context);
    Duration connectTimeout = ClusterResource.DEFAULT_CONNECT_TIMEOUT;
    if (cluster.hasConnectTimeout()) {
      connectTimeout = ProtoDurations.valid(cluster.getConnectTimeout(), "connect_timeout");
      if (connectTimeout.isZero()) {
        throw new ResourceInvalidException("connect_timeout: must be greater than 0");
      }
    }
    UpstreamTlsConfig tls = cluster.hasTransportSocket()
        ? UpstreamTlsContextDecoder.decode(cluster.getTransportSocket(), certificateProviderInstances, context)
        : null;
    return new ClusterResource(
        cluster.getName(), serviceName, connectTimeout, tls, loadBalancer, breakers, outlierDetection);
  }

  /**
   * Protocol options tune connections, except {@code max_stream_duration} (a request timeout) and upstream
   * {@code http_filters}, which change requests and are rejected. Both the deprecated field and its replacement in
   * {@code typed_extension_protocol_options} (what istiod sends) are checked.
   */
  @SuppressWarnings("deprecation") // common_http_protocol_options: still sent by older control planes
  private static void checkHttpProtocolOptions(Cluster cluster, DecodeContext context)
      throws ResourceInvalidException {
    if (cluster.hasCommonHttpProtocolOptions()) {
      HttpProtocolOptions options = cluster.getCommonHttpProtocolOptions();
      FieldAllowList.check(options, "common_http_protocol_options.", Set.of(), HTTP_OPTIONS_IGNORABLE, "CDS", context);
    }
    for (Map.Entry<String, Any> e : cluster.getTypedExtensionProtocolOptionsMap().entrySet()) {
      String path = "typed_extension_protocol_options[" + e.getKey() + "]";
      if (!e.getKey().equals(UPSTREAM_HTTP_OPTIONS_KEY)) {
        context.ignoredField("CDS: " + path);
        continue;
      }
      io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions options;
      try {
        options = e.getValue().unpack(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.class);
      } catch (InvalidProtocolBufferException ex) {
        throw new ResourceInvalidException(path + ": cannot unpack HttpProtocolOptions: " + ex.getMessage());
      }
      FieldAllowList.check(options, path + ".", Set.of("common_http_protocol_options"), UPSTREAM_HTTP_OPTIONS_IGNORABLE,
          "CDS", context);
      if (options.hasCommonHttpProtocolOptions()) {
        FieldAllowList.check(options.getCommonHttpProtocolOptions(), path + ".common_http_protocol_options.", Set.of(),
            HTTP_OPTIONS_IGNORABLE, "CDS", context);
      }
    }
  }
}
