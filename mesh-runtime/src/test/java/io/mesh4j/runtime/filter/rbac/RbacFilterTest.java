package io.mesh4j.runtime.filter.rbac;

import static io.mesh4j.runtime.filter.rbac.TestInboundRequest.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBACPerRoute;
import io.mesh4j.runtime.filter.FilterConfig;
import io.mesh4j.runtime.filter.FilterOverrides;
import io.mesh4j.runtime.filter.HttpFilterConfig;
import io.mesh4j.runtime.filter.HttpFilterProvider;
import io.mesh4j.runtime.filter.builtin.BuiltInFilters;
import io.mesh4j.runtime.inbound.InboundFilterConfig;
import io.mesh4j.runtime.inbound.InboundReply;
import io.mesh4j.runtime.inbound.InboundRequest;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The RBAC filter as the HCM runs it ({@link InboundFilterConfig#onRequest}): Envoy's engine and filter cases
 * ({@code engine_impl_test.cc}, {@code rbac_filter_test.cc}) for ALLOW, DENY, LOG, shadow rules, absent rules, the
 * reply and the counters, per-route overrides, and istiod's pair of filters.
 */
class RbacFilterTest {
  private static final String PORT_123 = "{'permissions': [{'destination_port': 123}], 'principals': [{'any': true}]}";

  private static String rules(String action, String policies) {
    return "{'action': '" + action + "', 'policies': " + policies + "}";
  }

  private static TestInboundRequest toPort(int port) {
    return request().local("1.2.3.4", port);
  }

  @Test
  void allowListAllowsWhatAPolicyMatchesAndDeniesTheRestWithA403() throws ResourceInvalidException {
    RbacConfig config = RbacProtos.config("{'rules': " + rules("ALLOW", "{'foo': " + PORT_123 + "}") + "}");

    assertThat(config.onRequest(toPort(123))).isNull();
    InboundReply denied = config.onRequest(toPort(456));

    assertThat(denied).isEqualTo(new InboundReply(403, "RBAC: access denied", Map.of(), "no policy matched"));
    assertThat(denied.grpcStatusCode()).as("PERMISSION_DENIED").isEqualTo(7);
    assertThat(config.counters().allowed()).isEqualTo(1);
    assertThat(config.counters().denied()).isEqualTo(1);
  }

  @Test
  void denyListDeniesWhatAPolicyMatchesNamingItAndAllowsTheRest() throws ResourceInvalidException {
    RbacConfig config = RbacProtos.config("{'rules': " + rules("DENY", "{'deny-123': " + PORT_123 + "}") + "}");

    InboundReply denied = config.onRequest(toPort(123));
    assertThat(denied.httpStatus()).isEqualTo(403);
    assertThat(denied.body()).isEqualTo("RBAC: access denied");
    assertThat(denied.reason()).isEqualTo("deny-123");
    assertThat(config.onRequest(toPort(456))).isNull();
    assertThat(config.counters()).extracting(RbacCounters::allowed, RbacCounters::denied).containsExactly(1L, 1L);
  }

  @Test
  void withoutPoliciesAllowDeniesEverythingAndDenyAllowsEverything() throws ResourceInvalidException {
    assertThat(RbacProtos.config("{'rules': {'action': 'ALLOW'}}").onRequest(request()).reason())
        .isEqualTo("no policy matched");
    assertThat(RbacProtos.config("{'rules': {'action': 'DENY'}}").onRequest(request())).isNull();
  }

  @Test
  void logNeverDeniesAndCountsWhatItWouldLog() throws ResourceInvalidException {
    RbacConfig config = RbacProtos.config("{'rules': " + rules("LOG", "{'log-123': " + PORT_123 + "}") + "}");

    assertThat(config.onRequest(toPort(123))).isNull();
    assertThat(config.onRequest(toPort(456))).isNull();
    assertThat(config.rules().evaluate(toPort(123)).matchedPolicy()).isEqualTo("log-123");
    assertThat(config.counters())
        .extracting(RbacCounters::allowed, RbacCounters::denied, RbacCounters::logged, RbacCounters::notLogged)
        .containsExactly(2L, 0L, 1L, 1L);
  }

  @Test
  void withoutRulesNothingIsEnforced() throws ResourceInvalidException {
    RbacConfig config = RbacProtos.config("{}");

    assertThat(config.rules()).isNull();
    assertThat(config.onRequest(request())).isNull();
    assertThat(config.counters().allowed()).isZero();
  }

  @Test
  void shadowRulesAreEvaluatedAndCountedButNeverEnforced() throws ResourceInvalidException {
    RbacConfig config = RbacProtos.config("{'shadow_rules': " + rules("ALLOW", "{'foo': " + PORT_123 + "}")
        + ", 'shadow_rules_stat_prefix': 'istio_dry_run_allow_', 'rules_stat_prefix': 'enforced_'}");

    assertThat(config.onRequest(toPort(123))).isNull();
    assertThat(config.onRequest(toPort(456))).as("a shadow denial lets the request through").isNull();
    assertThat(config.counters())
        .extracting(RbacCounters::shadowAllowed, RbacCounters::shadowDenied, RbacCounters::allowed,
            RbacCounters::denied)
        .containsExactly(1L, 1L, 0L, 0L);
    assertThat(config.counters().shadowRulesStatPrefix()).isEqualTo("istio_dry_run_allow_");
    assertThat(config.counters().rulesStatPrefix()).isEqualTo("enforced_");
  }

  @Test
  void shadowAndEnforcedRulesDecideIndependently() throws ResourceInvalidException {
    RbacConfig config = RbacProtos.config("{'rules': " + rules("DENY", "{'deny-123': " + PORT_123 + "}")
        + ", 'shadow_rules': " + rules("ALLOW", "{'allow-123': " + PORT_123 + "}") + "}");

    assertThat(config.onRequest(toPort(123)).reason()).isEqualTo("deny-123");
    assertThat(config.onRequest(toPort(456))).isNull();
    assertThat(config.counters())
        .extracting(RbacCounters::shadowAllowed, RbacCounters::shadowDenied, RbacCounters::allowed,
            RbacCounters::denied)
        .containsExactly(1L, 1L, 1L, 1L);
  }

  @Test
  void theMatchedPolicyIsTheFirstByNameWhateverTheOrderSent() throws ResourceInvalidException {
    String any = "{'permissions': [{'any': true}], 'principals': [{'any': true}]}";
    RbacConfig config = RbacProtos.config("{'rules': " + rules("DENY", "{'zeta': " + any + ", 'alpha': " + any
        + ", 'mid': " + any + "}") + "}");

    assertThat(config.onRequest(request()).reason()).isEqualTo("alpha");
  }

  /** istiod sends {@code envoy.filters.http.rbac.DENY} (DENY policies) before {@code envoy.filters.http.rbac}. */
  @Test
  void istiodsDenyThenAllowPairEndsAtTheFirstDenial() throws ResourceInvalidException {
    RbacConfig deny = RbacProtos.config("{'rules': " + rules("DENY",
        "{'ns[foo]-policy[deny-admin]-rule[0]': {'permissions': [{'url_path': {'path': {'prefix': '/admin'}}}],"
            + " 'principals': [{'any': true}]}}") + "}");
    RbacConfig allow = RbacProtos.config("{'rules': " + rules("ALLOW",
        "{'ns[foo]-policy[allow-get]-rule[0]': {'permissions': [{'header': {'name': ':method',"
            + " 'string_match': {'exact': 'GET'}}}], 'principals': [{'any': true}]}}") + "}");
    List<InboundFilterConfig> chain = List.of(deny, allow);

    assertThat(runChain(chain, request().method("GET").path("/admin/users")).reason())
        .isEqualTo("ns[foo]-policy[deny-admin]-rule[0]");
    assertThat(runChain(chain, request().method("POST").path("/items")).reason()).isEqualTo("no policy matched");
    assertThat(runChain(chain, request().method("GET").path("/items?admin=1"))).isNull();
    assertThat(allow.counters().allowed() + allow.counters().denied())
        .as("the ALLOW filter never saw the request the DENY filter refused").isEqualTo(2);
  }

  /** What the HCM does with its server filters: in order, the first reply ends the request. */
  private static InboundReply runChain(List<InboundFilterConfig> filters, InboundRequest request) {
    for (InboundFilterConfig filter : filters) {
      InboundReply reply = filter.onRequest(request);
      if (reply != null) {
        return reply;
      }
    }
    return null;
  }

  @Test
  void anEmptyPerRouteOverrideDisablesTheFilterOnThatRoute() throws ResourceInvalidException {
    FilterConfig override = new RbacFilterProvider()
        .parseOverride(Any.pack(RBACPerRoute.getDefaultInstance()), "typed_per_filter_config", context());

    assertThat(override).isSameAs(FilterOverrides.DISABLED);
  }

  @Test
  void aPerRouteOverrideReplacesTheListenersRulesOnThatRoute() throws ResourceInvalidException {
    HttpFilterConfig base = new HttpFilterConfig("envoy.filters.http.rbac",
        RbacProtos.config("{'rules': {'action': 'ALLOW'}}"));
    RBACPerRoute perRoute = RbacProtos.parse(
        "{'rbac': {'rules': " + rules("ALLOW", "{'open-123': " + PORT_123 + "}") + "}}",
        RBACPerRoute.newBuilder(), RBACPerRoute.class);
    FilterOverrides route = FilterOverrides.decode(
        Map.of("envoy.filters.http.rbac", Any.pack(perRoute)), "typed_per_filter_config",
        BuiltInFilters.REGISTRY, context());

    InboundFilterConfig onRoute =
        (InboundFilterConfig) FilterOverrides.mostSpecific(base, FilterOverrides.NONE, route, FilterOverrides.NONE);
    InboundFilterConfig elsewhere = (InboundFilterConfig) FilterOverrides.mostSpecific(
        base, FilterOverrides.NONE, FilterOverrides.NONE, FilterOverrides.NONE);

    assertThat(onRoute.onRequest(toPort(123))).isNull();
    assertThat(elsewhere.onRequest(toPort(123))).isNotNull();
  }

  @Test
  void isAServerFilterForBothTypeUrlsInTheBuiltInRegistry() {
    HttpFilterProvider base = BuiltInFilters.REGISTRY.get(RbacFilterProvider.TYPE_URL);
    HttpFilterProvider perRoute = BuiltInFilters.REGISTRY.get(RbacFilterProvider.PER_ROUTE_TYPE_URL);

    assertThat(base).isInstanceOf(RbacFilterProvider.class).isSameAs(perRoute);
    assertThat(base.isServerFilter()).isTrue();
    assertThat(base.isClientFilter()).isFalse();
  }

  @Test
  void parsesTheHcmsTypedConfig() throws ResourceInvalidException {
    FilterConfig config = new RbacFilterProvider().parseBase(
        Any.pack(RbacProtos.filter("{'rules': " + rules("DENY", "{'deny-123': " + PORT_123 + "}") + "}")),
        "http_filters[0].typed_config", context());

    assertThat(config.typeUrl()).isEqualTo(RbacFilterProvider.TYPE_URL);
    assertThat(((RbacConfig) config).onRequest(toPort(123)).reason()).isEqualTo("deny-123");
  }

  private static DecodeContext context() {
    return DecodeContext.discarding();
  }
}
