package io.mesh4j.runtime.hostile;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBACPerRoute;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Valid resources that use much of what each decoder supports, written as the proto JSON a control plane sends: the
 * starting points the mutator changes. Each must decode (checked by {@code HostileResourceDecodeTest}).
 */
final class ValidResources {
  static final String TARGET = "catalog.mesh:8080";

  private ValidResources() {}

  /** What {@code Any} fields of these resources may carry, so the mutator reaches inside them. */
  static final Map<String, Message> PACKED_TYPES = packedTypes(List.of(
      HttpConnectionManager.getDefaultInstance(), Router.getDefaultInstance(), HTTPFault.getDefaultInstance(),
      RBAC.getDefaultInstance(), RBACPerRoute.getDefaultInstance(), JwtAuthentication.getDefaultInstance(),
      PerRouteConfig.getDefaultInstance(), UpstreamTlsContext.getDefaultInstance(),
      DownstreamTlsContext.getDefaultInstance(), RawBuffer.getDefaultInstance()));

  private static final JsonFormat.Parser PARSER = JsonFormat.parser().usingTypeRegistry(
      JsonFormat.TypeRegistry.newBuilder().add(PACKED_TYPES.values().stream()
          .map(Message::getDescriptorForType).toList()).build());

  private static Map<String, Message> packedTypes(List<Message> defaults) {
    Map<String, Message> out = new LinkedHashMap<>();
    for (Message m : defaults) {
      out.put(Any.pack(m).getTypeUrl(), m);
    }
    return out;
  }

  static <T extends Message> T parse(String json, Message.Builder builder) {
    try {
      PARSER.merge(json.replace('\'', '"'), builder);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("bad test JSON: " + e.getMessage() + "\n" + json, e);
    }
    @SuppressWarnings("unchecked")
    T built = (T) builder.build();
    return built;
  }

  static final String FAULT = """
      {'@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault',
       'delay': {'fixed_delay': '0.001s', 'percentage': {'numerator': 0, 'denominator': 'HUNDRED'}},
       'abort': {'http_status': 503, 'percentage': {'numerator': 0, 'denominator': 'HUNDRED'}},
       'headers': [{'name': 'x-fault', 'present_match': true}],
       'max_active_faults': 100}""";

  static final String ROUTER = "{'@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router'}";

  static final String RBAC_FILTER = """
      {'@type': 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC',
       'rules': {'action': 'ALLOW', 'policies': {
         'by-path': {
           'permissions': [{'and_rules': {'rules': [
               {'url_path': {'path': {'prefix': '/'}}},
               {'or_rules': {'rules': [{'destination_port': 8080}, {'header': {'name': ':method',
                   'string_match': {'exact': 'GET'}}}]}},
               {'not_rule': {'header': {'name': 'x-deny', 'safe_regex_match': {'regex': 'y.*'}}}}]}}],
           'principals': [{'or_ids': {'ids': [
               {'authenticated': {'principal_name': {'exact': 'spiffe://cluster.local/ns/default/sa/client'}}},
               {'any': true}]}}]},
         'by-ip': {
           'permissions': [{'any': true}],
           'principals': [{'remote_ip': {'address_prefix': '10.0.0.0', 'prefix_len': 8}},
               {'direct_remote_ip': {'address_prefix': '127.0.0.1', 'prefix_len': 32}}]}}},
       'shadow_rules': {'action': 'DENY', 'policies': {'shadow': {'permissions': [{'any': true}],
           'principals': [{'not_id': {'any': true}}]}}}}""";

  /** The RBAC filter config as an RBACPerRoute's {@code rbac} field holds it (no {@code @type}). */
  static String rbacWithoutType() {
    return RBAC_FILTER.replace("'@type': 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC',", "");
  }

  static String jwtFilter() {
    return """
        {'@type': 'type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication',
         'providers': {
           'issuer-a': {'issuer': 'https://issuer.example', 'audiences': ['catalog'],
             'local_jwks': {'inline_string': '%s'},
             'forward': true, 'from_headers': [{'name': 'x-jwt', 'value_prefix': 'Bearer '}],
             'claim_to_headers': [{'header_name': 'x-sub', 'claim_name': 'sub'}],
             'clock_skew_seconds': 60}},
         'rules': [{'match': {'prefix': '/api'}, 'requires': {'requires_any': {'requirements': [
             {'provider_name': 'issuer-a'}, {'allow_missing': {}}]}}},
           {'match': {'prefix': '/'}, 'requires': {'provider_name': 'issuer-a'}}],
         'requirement_map': {'r1': {'provider_name': 'issuer-a'}}}""".formatted(JWKS.replace("\"", "\\\""));
  }

  private static final String JWKS = jwks();

  private static String jwks() {
    try {
      return new JWKSet(new ECKeyGenerator(Curve.P_256).keyID("k1").generate().toPublicJWK()).toString();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static final String ROUTES_BODY = """
      'virtual_hosts': [
        {'name': 'catalog', 'domains': ['catalog.mesh:8080', 'catalog.mesh', '*.catalog.mesh'],
         'routes': [
           {'name': 'regex', 'match': {'safe_regex': {'regex': '/items/[0-9]+'},
              'headers': [{'name': 'x-version', 'string_match': {'exact': 'v2'}},
                          {'name': 'x-canary', 'present_match': true, 'invert_match': true}],
              'query_parameters': [{'name': 'q', 'string_match': {'prefix': 'a'}}]},
            'route': {'cluster': 'catalog', 'timeout': '5s', 'prefix_rewrite': '/v2/',
              'retry_policy': {'retry_on': '5xx,reset,retriable-status-codes', 'num_retries': 2,
                 'retriable_status_codes': [503], 'per_try_timeout': '1s',
                 'retry_back_off': {'base_interval': '0.025s', 'max_interval': '0.25s'}},
              'hash_policy': [{'header': {'header_name': 'x-user'}}, {'connection_properties': {'source_ip': true}}]},
            'request_headers_to_add': [{'header': {'key': 'x-added', 'value': 'yes'},
              'append_action': 'OVERWRITE_IF_EXISTS_OR_ADD'}],
            'response_headers_to_remove': ['x-internal']},
           {'name': 'weighted', 'match': {'prefix': '/split', 'case_sensitive': false},
            'route': {'weighted_clusters': {'clusters': [{'name': 'catalog', 'weight': 90},
               {'name': 'catalog-v2', 'weight': 10}]},
              'regex_rewrite': {'pattern': {'regex': '^/split/(.*)$'}, 'substitution': '/\\\\1'}}},
           {'name': 'redirect', 'match': {'path': '/old'}, 'redirect': {'path_redirect': '/new',
              'response_code': 'PERMANENT_REDIRECT'}},
           {'name': 'direct', 'match': {'path': '/health'}, 'direct_response': {'status': 200,
              'body': {'inline_string': 'ok'}}},
           {'name': 'faulty', 'match': {'prefix': '/faulty'}, 'route': {'cluster': 'catalog'},
            'typed_per_filter_config': {'envoy.filters.http.fault': %s}},
           {'name': 'default', 'match': {'prefix': '/'}, 'route': {'cluster': 'catalog'}}],
         'retry_policy': {'retry_on': 'connect-failure', 'num_retries': 1}},
        {'name': 'fallback', 'domains': ['*'], 'routes': [{'match': {'prefix': '/'},
           'route': {'cluster_header': 'x-cluster'}}]}]""".formatted(FAULT);

  static RouteConfiguration routes(String name) {
    return parse("{'name': '" + name + "', " + ROUTES_BODY + "}", RouteConfiguration.newBuilder());
  }

  /** The client's API listener: an HCM naming its routes over RDS, with the fault filter and the router. */
  static Listener clientListener(String routesName) {
    return parse("""
        {'name': '%s', 'api_listener': {'api_listener': {
          '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
          'rds': {'route_config_name': '%s', 'config_source': {'ads': {}, 'resource_api_version': 'V3'}},
          'http_filters': [{'name': 'envoy.filters.http.fault', 'typed_config': %s},
                           {'name': 'envoy.filters.http.router', 'typed_config': %s}],
          'common_http_protocol_options': {'max_stream_duration': '30s'}}}}"""
        .formatted(TARGET, routesName, FAULT, ROUTER), Listener.newBuilder());
  }

  /** A client listener with its route table inline. */
  static Listener inlineClientListener() {
    return parse("""
        {'name': 'inline.mesh:80', 'api_listener': {'api_listener': {
          '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
          'route_config': {'name': 'inline', %s},
          'http_filters': [{'name': 'envoy.filters.http.router', 'typed_config': %s}]}}}"""
        .formatted(ROUTES_BODY, ROUTER), Listener.newBuilder());
  }

  /** A server listener as istiod sends a proxyless server: mTLS and plaintext chains, RBAC and jwt_authn. */
  static Listener serverListener() {
    String hcm = """
        {'@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
         'stat_prefix': 'inbound',
         'route_config': {'name': 'inbound', 'virtual_hosts': [{'name': 'all', 'domains': ['*'],
           'routes': [{'match': {'prefix': '/'}, 'non_forwarding_action': {},
             'typed_per_filter_config': {'envoy.filters.http.rbac': {
               '@type': 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBACPerRoute',
               'rbac': %s}}}]}]},
         'http_filters': [{'name': 'envoy.filters.http.jwt_authn', 'typed_config': %s},
                          {'name': 'envoy.filters.http.rbac', 'typed_config': %s},
                          {'name': 'envoy.filters.http.router', 'typed_config': %s}]}"""
        .formatted(rbacWithoutType(), jwtFilter(), RBAC_FILTER, ROUTER);
    String tls = """
        {'@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
         'require_client_certificate': true,
         'common_tls_context': {
           'tls_certificate_provider_instance': {'instance_name': 'default', 'certificate_name': 'default'},
           'validation_context': {'ca_certificate_provider_instance': {'instance_name': 'default',
               'certificate_name': 'ROOTCA'},
             'match_subject_alt_names': [{'prefix': 'spiffe://cluster.local/'},
               {'safe_regex': {'regex': 'spiffe://.*/ns/default/.*'}}]},
           'alpn_protocols': ['h2']}}""";
    return parse("""
        {'name': 'xds.istio.io/grpc/lds/inbound/0.0.0.0:9090',
         'address': {'socket_address': {'address': '0.0.0.0', 'port_value': 9090}},
         'filter_chains': [
           {'name': 'mtls', 'filter_chain_match': {'transport_protocol': 'tls',
              'application_protocols': ['istio-peer-exchange', 'h2'], 'destination_port': 9090},
            'transport_socket': {'name': 'envoy.transport_sockets.tls', 'typed_config': %s},
            'filters': [{'name': 'envoy.filters.network.http_connection_manager', 'typed_config': %s}]},
           {'name': 'plain', 'filter_chain_match': {'transport_protocol': 'raw_buffer',
              'source_prefix_ranges': [{'address_prefix': '10.0.0.0', 'prefix_len': 8}]},
            'filters': [{'name': 'envoy.filters.network.http_connection_manager', 'typed_config': %s}]}],
         'default_filter_chain': {'name': 'default',
            'filters': [{'name': 'envoy.filters.network.http_connection_manager', 'typed_config': %s}]}}"""
        .formatted(tls, hcm, hcm, hcm), Listener.newBuilder());
  }

  static Cluster cluster(String name) {
    return parse("""
        {'name': '%s', 'type': 'EDS', 'eds_cluster_config': {'eds_config': {'ads': {}, 'resource_api_version': 'V3'}},
         'connect_timeout': '1s', 'lb_policy': 'LEAST_REQUEST',
         'least_request_lb_config': {'choice_count': 2},
         'circuit_breakers': {'thresholds': [{'priority': 'DEFAULT', 'max_requests': 1000,
             'max_pending_requests': 100, 'max_retries': 3}]},
         'outlier_detection': {'consecutive_5xx': 5, 'interval': '10s', 'base_ejection_time': '30s',
             'max_ejection_percent': 50, 'enforcing_success_rate': 100, 'success_rate_minimum_hosts': 3,
             'failure_percentage_threshold': 85, 'enforcing_failure_percentage': 0},
         'common_lb_config': {'healthy_panic_threshold': {'value': 50}}}""".formatted(name), Cluster.newBuilder());
  }

  static Cluster tlsCluster(String name) {
    return parse("""
        {'name': '%s', 'type': 'EDS', 'eds_cluster_config': {'eds_config': {'ads': {}, 'resource_api_version': 'V3'}},
         'lb_policy': 'RING_HASH', 'ring_hash_lb_config': {'minimum_ring_size': 64, 'maximum_ring_size': 4096},
         'transport_socket': {'name': 'envoy.transport_sockets.tls', 'typed_config': {
           '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
           'sni': 'outbound_.8080_._.catalog.default.svc.cluster.local',
           'common_tls_context': {
             'tls_certificate_sds_secret_configs': [{'name': 'default', 'sds_config': {'ads': {},
                 'resource_api_version': 'V3'}}],
             'combined_validation_context': {'default_validation_context': {'match_subject_alt_names': [
                 {'exact': 'spiffe://cluster.local/ns/default/sa/catalog'}]},
               'validation_context_sds_secret_config': {'name': 'ROOTCA', 'sds_config': {'ads': {},
                 'resource_api_version': 'V3'}}}}}}}""".formatted(name), Cluster.newBuilder());
  }

  static ClusterLoadAssignment endpoints(String clusterName, String... hostPorts) {
    StringBuilder lb = new StringBuilder();
    for (int i = 0; i < hostPorts.length; i++) {
      String[] hp = hostPorts[i].split(":");
      lb.append(i == 0 ? "" : ", ").append("{'endpoint': {'address': {'socket_address': {'address': '")
          .append(hp[0]).append("', 'port_value': ").append(hp[1]).append("}}}, 'health_status': 'HEALTHY', ")
          .append("'load_balancing_weight': ").append(1 + i).append("}");
    }
    return parse("""
        {'cluster_name': '%s', 'endpoints': [
          {'locality': {'region': 'r1', 'zone': 'z1'}, 'load_balancing_weight': 3, 'priority': 0,
           'lb_endpoints': [%s]},
          {'locality': {'region': 'r2', 'zone': 'z2'}, 'load_balancing_weight': 1, 'priority': 1,
           'lb_endpoints': [{'endpoint': {'address': {'socket_address': {'address': '10.0.0.9', 'port_value': 80}}},
             'health_status': 'DRAINING'}]}],
         'policy': {'overprovisioning_factor': 140}}""".formatted(clusterName, lb), ClusterLoadAssignment.newBuilder());
  }

  /** A filter config written with its {@code @type}, as an {@code Any}. */
  static Any any(String json) {
    io.envoyproxy.envoy.config.listener.v3.Filter filter =
        parse("{'name': 'x', 'typed_config': " + json + "}", io.envoyproxy.envoy.config.listener.v3.Filter.newBuilder());
    return filter.getTypedConfig();
  }
}
