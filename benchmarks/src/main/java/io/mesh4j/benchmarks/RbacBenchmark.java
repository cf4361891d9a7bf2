package io.mesh4j.benchmarks;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.mesh4j.runtime.filter.rbac.RbacConfig;
import io.mesh4j.runtime.filter.rbac.RbacFilterProvider;
import io.mesh4j.runtime.inbound.InboundReply;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The RBAC decision for one request (what every request to a server under the mesh pays), over an istiod-shaped
 * policy set: 20 ALLOW policies for one workload, each as istiod translates an AuthorizationPolicy rule (an AND of
 * ORs: paths, methods, ports; principals as SPIFFE IDs). Half name exact gRPC methods, half a service prefix with a
 * different client each, so a call to a common method walks every policy's permissions and most principals.
 *
 * <ul>
 *   <li>{@code allowedByLastPolicy}: the matching policy is the last by name, so all 20 are tried;
 *   <li>{@code deniedNoPolicyMatched}: a client no policy names, the 403 path;
 *   <li>{@code istiodDenyThenAllow}: istiod's pair, a DENY filter (5 policies) then the ALLOW filter;
 *   <li>{@code samePrincipalPathsDiffer}: 20 policies for the same client that differ by path (19 other services),
 *       where trying the cheaper principal first does not end a policy early;
 *   <li>{@code namespaceRegexPrincipals}: the same 20 with namespace-wide principals, which istiod sends as regexes.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RbacBenchmark {
  private static final String SERVICE = "/grpc.testing.TestService/";
  private static final String TRUST_DOMAIN = "spiffe://cluster.local";

  private RbacConfig allow;
  private RbacConfig deny;
  private RbacConfig allowByNamespace;
  private RbacConfig allowByPath;
  private FixedInboundRequest lastPolicysClient;
  private FixedInboundRequest unknownClient;

  @Setup
  public void setUp() throws ResourceInvalidException {
    allow = config("ALLOW", policies(20, false));
    allowByNamespace = config("ALLOW", policies(20, true));
    List<String> byPath = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String service = i == 19 ? SERVICE : "/grpc.testing.OtherService" + i + "/";
      byPath.add(policy(String.format("ns[prod]-policy[path-%02d]-rule[0]", i),
          "{'url_path': {'path': {'prefix': '" + service + "'}}}", "POST", List.of(
              "{'authenticated': {'principal_name': {'exact': '" + TRUST_DOMAIN + "/ns/prod/sa/client-19'}}}")));
    }
    allowByPath = config("ALLOW", byPath);
    List<String> denyPolicies = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      denyPolicies.add(policy("ns[prod]-policy[deny-" + i + "]-rule[0]",
          "{'url_path': {'path': {'prefix': '/admin." + i + "/'}}}", "POST", List.of(
              "{'authenticated': {'principal_name': {'exact': '" + TRUST_DOMAIN + "/ns/untrusted/sa/sa-" + i
                  + "'}}}")));
    }
    deny = config("DENY", denyPolicies);
    lastPolicysClient = request(TRUST_DOMAIN + "/ns/prod/sa/client-19");
    unknownClient = request(TRUST_DOMAIN + "/ns/prod/sa/stranger");
    if (allow.onRequest(lastPolicysClient) != null || allow.onRequest(unknownClient) == null
        || allowByNamespace.onRequest(lastPolicysClient) != null || deny.onRequest(lastPolicysClient) != null
        || allowByPath.onRequest(lastPolicysClient) != null || allowByPath.onRequest(unknownClient) == null) {
      throw new IllegalStateException("the benchmark's requests do not decide as intended");
    }
  }

  private static FixedInboundRequest request(String spiffeId) {
    return new FixedInboundRequest("echo.prod.svc.cluster.local:8080", SERVICE + "UnaryCall", 8080, spiffeId,
        "content-type", "application/grpc", "te", "trailers", "user-agent", "grpc-java-netty/1.75.0",
        "grpc-accept-encoding", "gzip", "x-request-id", "5f2c7a4e-1b2d-4c3e-9f00-aa11bb22cc33");
  }

  /** Policy {@code i} of 20: exact methods for the first ten, the service prefix for the rest; client-i's SPIFFE ID. */
  private static List<String> policies(int count, boolean namespaceRegex) {
    List<String> policies = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String path = i < count / 2
          ? "{'url_path': {'path': {'exact': '" + SERVICE + "Method" + i + "'}}}"
          : "{'url_path': {'path': {'prefix': '" + SERVICE + "'}}}";
      String principal = namespaceRegex
          ? "{'authenticated': {'principal_name': {'safe_regex': {'regex': '.*/ns/ns-" + i + "/.*'}}}}"
          : "{'authenticated': {'principal_name': {'exact': '" + TRUST_DOMAIN + "/ns/prod/sa/client-" + i + "'}}}";
      List<String> principals = new ArrayList<>(List.of(principal));
      if (namespaceRegex && i == count - 1) {
        principals.add("{'authenticated': {'principal_name': {'safe_regex': {'regex': '.*/ns/prod/.*'}}}}");
      }
      policies.add(policy(String.format("ns[prod]-policy[allow-%02d]-rule[0]", i), path, "POST", principals));
    }
    return policies;
  }

  /** A rule as istiod writes it: AND of (OR of paths), (OR of methods), (OR of ports); AND of (OR of principals). */
  private static String policy(String name, String path, String method, List<String> principals) {
    return "'" + name + "': {'permissions': [{'and_rules': {'rules': ["
        + "{'or_rules': {'rules': [" + path + "]}},"
        + "{'or_rules': {'rules': [{'header': {'name': ':method', 'string_match': {'exact': '" + method + "'}}}]}},"
        + "{'or_rules': {'rules': [{'destination_port': 8080}]}}]}}],"
        + " 'principals': [{'and_ids': {'ids': [{'or_ids': {'ids': [" + String.join(", ", principals) + "]}}]}}]}";
  }

  private static RbacConfig config(String action, List<String> policies) throws ResourceInvalidException {
    String json = "{'rules': {'action': '" + action + "', 'policies': {" + String.join(", ", policies) + "}}}";
    RBAC.Builder proto = RBAC.newBuilder();
    try {
      JsonFormat.parser().merge(json.replace('\'', '"'), proto);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(json, e);
    }
    return RbacFilterProvider.decode(proto.build(), "typed_config", DecodeContext.discarding());
  }

  @Benchmark
  public InboundReply allowedByLastPolicy() {
    return allow.onRequest(lastPolicysClient);
  }

  @Benchmark
  public InboundReply deniedNoPolicyMatched() {
    return allow.onRequest(unknownClient);
  }

  @Benchmark
  public InboundReply istiodDenyThenAllow() {
    InboundReply reply = deny.onRequest(lastPolicysClient);
    return reply != null ? reply : allow.onRequest(lastPolicysClient);
  }

  @Benchmark
  public InboundReply samePrincipalPathsDiffer() {
    return allowByPath.onRequest(lastPolicysClient);
  }

  @Benchmark
  public InboundReply namespaceRegexPrincipals() {
    return allowByNamespace.onRequest(lastPolicysClient);
  }
}
