package io.mesh4j.runtime.filter.rbac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBACPerRoute;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every RBAC config the decoder refuses, each with the field path the NACK names: matchers a proxyless server cannot
 * run (ignoring one would change who gets in) and what Envoy's proto validation rejects.
 */
class RbacDecoderTest {
  private static final String P = "typed_config.rules.policies['p']";

  /** An ALLOW config with one policy {@code p}. */
  private static String policy(String permission, String principal) {
    return "{'rules': {'action': 'ALLOW', 'policies': {'p': {'permissions': [" + permission + "], 'principals': ["
        + principal + "]}}}}";
  }

  private static String permission(String json) {
    return policy(json, "{'any': true}");
  }

  private static String principal(String json) {
    return policy("{'any': true}", json);
  }

  private static String metadata(String matcher) {
    return permission("{'metadata': " + matcher + "}");
  }

  static Stream<Arguments> rejected() {
    return Stream.of(
        Arguments.of("permission matcher extension",
            permission("{'matcher': {'name': 'envoy.rbac.matchers.upstream_ip_port'}}"),
            P + ".permissions[0].matcher: not supported yet"),
        Arguments.of("permission uri_template",
            permission("{'uri_template': {'name': 'envoy.path.match.uri_template.uri_template_matcher'}}"),
            P + ".permissions[0].uri_template: not supported yet"),
        Arguments.of("nested unsupported permission",
            permission("{'and_rules': {'rules': [{'any': true}, {'not_rule': {'matcher': {'name': 'x'}}}]}}"),
            P + ".permissions[0].and_rules.rules[1].not_rule.matcher: not supported yet"),
        Arguments.of("principal filter_state",
            principal("{'filter_state': {'key': 'k', 'string_match': {'exact': 'v'}}}"),
            P + ".principals[0].filter_state: not supported yet"),
        Arguments.of("principal custom",
            principal("{'custom': {'name': 'envoy.rbac.principals.mtls_authenticated'}}"),
            P + ".principals[0].custom: not supported yet"),
        Arguments.of("nested unsupported principal",
            principal("{'or_ids': {'ids': [{'not_id': {'custom': {'name': 'x'}}}]}}"),
            P + ".principals[0].or_ids.ids[0].not_id.custom: not supported yet"),
        Arguments.of("CEL condition",
            "{'rules': {'policies': {'p': {'permissions': [{'any': true}], 'principals': [{'any': true}],"
                + " 'condition': {'const_expr': {'bool_value': true}}}}}}",
            P + ".condition: not supported yet"),
        Arguments.of("checked CEL condition",
            "{'rules': {'policies': {'p': {'permissions': [{'any': true}], 'principals': [{'any': true}],"
                + " 'checked_condition': {}}}}}",
            P + ".checked_condition: not supported yet"),
        Arguments.of("matcher tree", "{'matcher': {}}", "typed_config.matcher: not supported yet"),
        Arguments.of("shadow matcher tree", "{'shadow_matcher': {}}", "typed_config.shadow_matcher: not supported yet"),
        Arguments.of("unsupported matcher in shadow rules",
            "{'shadow_rules': {'policies': {'s': {'permissions': [{'any': true}],"
                + " 'principals': [{'custom': {'name': 'x'}}]}}}}",
            "typed_config.shadow_rules.policies['s'].principals[0].custom: not supported yet"),
        Arguments.of("route metadata",
            permission("{'sourced_metadata': {'metadata_source': 'ROUTE', 'metadata_matcher': {'filter': 'f',"
                + " 'path': [{'key': 'k'}], 'value': {'present_match': true}}}}"),
            P + ".permissions[0].sourced_metadata.metadata_source: ROUTE is not supported"),
        Arguments.of("unknown action", "{'rules': {'action': 7}}", "typed_config.rules.action: unknown action 7"),
        Arguments.of("no permission",
            "{'rules': {'policies': {'p': {'principals': [{'any': true}]}}}}",
            P + ".permissions: must have at least one permission"),
        Arguments.of("no principal",
            "{'rules': {'policies': {'p': {'permissions': [{'any': true}]}}}}",
            P + ".principals: must have at least one principal"),
        Arguments.of("empty and_rules", permission("{'and_rules': {}}"),
            P + ".permissions[0].and_rules.rules: must have at least one rule"),
        Arguments.of("empty or_ids", principal("{'or_ids': {}}"),
            P + ".principals[0].or_ids.ids: must have at least one id"),
        Arguments.of("any: false", permission("{'any': false}"), P + ".permissions[0].any: must be true"),
        Arguments.of("permission without a rule", permission("{}"),
            P + ".permissions[0]: a permission rule is required"),
        Arguments.of("principal without an identifier", principal("{}"),
            P + ".principals[0]: a principal identifier is required"),
        Arguments.of("destination_port beyond 65535", permission("{'destination_port': 70000}"),
            P + ".permissions[0].destination_port: 70000 is not a port"),
        Arguments.of("port range start out of bounds",
            permission("{'destination_port_range': {'start': -1, 'end': 80}}"),
            P + ".permissions[0].destination_port_range.start: -1 is out of bounds"),
        Arguments.of("port range end out of bounds",
            permission("{'destination_port_range': {'start': 80, 'end': 65537}}"),
            P + ".permissions[0].destination_port_range.end: 65537 is out of bounds"),
        Arguments.of("empty port range", permission("{'destination_port_range': {'start': 80, 'end': 80}}"),
            P + ".permissions[0].destination_port_range: start 80 must be less than end 80"),
        Arguments.of("not an IP", principal("{'source_ip': {'address_prefix': 'example.com', 'prefix_len': 8}}"),
            P + ".principals[0].source_ip.address_prefix: 'example.com' is not an IP address"),
        Arguments.of("no IP", permission("{'destination_ip': {'prefix_len': 8}}"),
            P + ".permissions[0].destination_ip.address_prefix: address_prefix is empty"),
        Arguments.of("prefix beyond 128", principal("{'remote_ip': {'address_prefix': '::1', 'prefix_len': 129}}"),
            P + ".principals[0].remote_ip.prefix_len: 129 is more than 128"),
        Arguments.of("metadata without filter",
            metadata("{'path': [{'key': 'k'}], 'value': {'present_match': true}}"),
            P + ".permissions[0].metadata.filter: must not be empty"),
        Arguments.of("metadata without path", metadata("{'filter': 'f', 'value': {'present_match': true}}"),
            P + ".permissions[0].metadata.path: must have at least one segment"),
        Arguments.of("metadata path segment without key",
            metadata("{'filter': 'f', 'path': [{'key': 'a'}, {}], 'value': {'present_match': true}}"),
            P + ".permissions[0].metadata.path[1].key: must not be empty"),
        Arguments.of("metadata without value", metadata("{'filter': 'f', 'path': [{'key': 'k'}]}"),
            P + ".permissions[0].metadata.value: is required"),
        Arguments.of("metadata value matcher without a kind",
            metadata("{'filter': 'f', 'path': [{'key': 'k'}], 'value': {}}"),
            P + ".permissions[0].metadata.value: one of null_match"),
        Arguments.of("metadata or_match of one",
            metadata("{'filter': 'f', 'path': [{'key': 'k'}], 'value': {'or_match': {'value_matchers':"
                + " [{'present_match': true}]}}}"),
            P + ".permissions[0].metadata.value.or_match.value_matchers: must have at least 2 matchers"),
        Arguments.of("metadata list_match without one_of",
            metadata("{'filter': 'f', 'path': [{'key': 'k'}], 'value': {'list_match': {}}}"),
            P + ".permissions[0].metadata.value.list_match: one_of is required"),
        Arguments.of("metadata double_match without a kind",
            metadata("{'filter': 'f', 'path': [{'key': 'k'}], 'value': {'double_match': {}}}"),
            P + ".permissions[0].metadata.value.double_match: one of range, exact is required"),
        Arguments.of("principal metadata string matcher without a pattern",
            principal("{'metadata': {'filter': 'f', 'path': [{'key': 'k'}], 'value': {'string_match': {}}}}"),
            P + ".principals[0].metadata.value.string_match: one of exact"),
        Arguments.of("header with a bad regex",
            permission("{'header': {'name': 'x', 'safe_regex_match': {'regex': '('}}}"),
            P + ".permissions[0].header.safe_regex_match.regex: invalid regex"),
        Arguments.of("header without a name", principal("{'header': {'exact_match': 'v'}}"),
            P + ".principals[0].header.name: must not be empty"),
        Arguments.of("url_path without path", permission("{'url_path': {}}"),
            P + ".permissions[0].url_path.path: is required"),
        Arguments.of("authenticated principal_name without a pattern",
            principal("{'authenticated': {'principal_name': {}}}"),
            P + ".principals[0].authenticated.principal_name: one of exact"),
        Arguments.of("requested_server_name with a custom matcher",
            permission("{'requested_server_name': {'custom': {'name': 'x'}}}"),
            P + ".permissions[0].requested_server_name.custom: not supported yet"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejected")
  void nacksNamingTheField(String name, String json, String message) {
    assertThatThrownBy(() -> RbacProtos.config(json))
        .as(name)
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void aPerRouteConfigIsNotTheFiltersOwnConfig() {
    assertThatThrownBy(() -> new RbacFilterProvider().parseBase(
            Any.pack(RBACPerRoute.getDefaultInstance()), "http_filters[1].typed_config", DecodeContext.discarding()))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessageStartingWith("http_filters[1].typed_config: the filter's own config must be an RBAC");
  }

  @Test
  void aPerRouteOverrideMustBeAnRbacPerRoute() {
    assertThatThrownBy(() -> new RbacFilterProvider().parseOverride(
            Any.pack(RbacProtos.filter("{}")), "routes[0].typed_per_filter_config['rbac']",
            DecodeContext.discarding()))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessageStartingWith("routes[0].typed_per_filter_config['rbac']: a per-route override must be an"
            + " RBACPerRoute");
  }

  @Test
  void anUnsupportedMatcherInAPerRouteOverrideIsNamedUnderRbac() {
    RBACPerRoute perRoute = RbacProtos.parse("{'rbac': " + permission("{'matcher': {'name': 'x'}}") + "}",
        RBACPerRoute.newBuilder(), RBACPerRoute.class);

    assertThatThrownBy(() -> new RbacFilterProvider().parseOverride(
            Any.pack(perRoute), "virtual_hosts[0].typed_per_filter_config['rbac']", DecodeContext.discarding()))
        .hasMessageStartingWith("virtual_hosts[0].typed_per_filter_config['rbac'].rbac.rules.policies['p']"
            + ".permissions[0].matcher: not supported yet");
  }

  @Test
  void fieldsThatChangeNoDecisionAreAcceptedAndNoted() throws ResourceInvalidException {
    List<String> notes = new ArrayList<>();
    RbacFilterProvider.decode(
        RbacProtos.filter("{'track_per_rule_stats': true, 'rules': {'action': 'DENY', 'audit_logging_options':"
            + " {'audit_condition': 'ON_DENY'}}}"),
        "typed_config", notes::add);

    assertThat(notes).anySatisfy(note -> assertThat(note).contains("track_per_rule_stats"))
        .anySatisfy(note -> assertThat(note).contains("audit_logging_options"));
  }
}
