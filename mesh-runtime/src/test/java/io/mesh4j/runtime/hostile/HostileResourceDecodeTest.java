package io.mesh4j.runtime.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.mesh4j.runtime.cluster.ClusterType;
import io.mesh4j.runtime.cluster.EndpointType;
import io.mesh4j.runtime.filter.HttpFilterProvider;
import io.mesh4j.runtime.filter.builtin.BuiltInFilters;
import io.mesh4j.runtime.listener.ListenerType;
import io.mesh4j.runtime.route.RouteConfigurationType;
import io.mesh4j.runtime.security.SecretType;
import io.mesh4j.runtime.testing.ProtoMutator;
import io.mesh4j.runtime.testing.ReliabilityFigures;
import io.mesh4j.runtime.testing.TestPki;
import io.mesh4j.runtime.testing.TlsResources;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import io.mesh4j.runtime.xds.XdsResourceType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every decoder under mutated valid resources: whatever the control plane sends, a decoder either returns a value or
 * throws {@link ResourceInvalidException} naming a field path; nothing else escapes (no NPE, no
 * {@code NumberFormatException}, no {@code OutOfMemoryError} from a regex).
 *
 * <p>Mutations per decoder: {@code -Dmesh4j.mutations=N} (default 300 here, 15 decoders; {@code benchmarks/run.sh}
 * runs 700 each). A failure names the seed; replay it with {@code -Dmesh4j.mutationSeed=S}.
 */
class HostileResourceDecodeTest {
  static final int MUTATIONS = Integer.getInteger("mesh4j.mutations", 300);
  private static final Long REPLAY_SEED = Long.getLong("mesh4j.mutationSeed");
  /** By decoder, after its mutations passed: how many were decoded and how many rejected naming a field path. */
  private static final Map<String, int[]> OUTCOMES = new ConcurrentSkipListMap<>();
  /** A field path first: {@code name}, {@code virtual_hosts[0].routes[2]...}, {@code typed_config}... */
  static final Pattern FIELD_PATH = Pattern.compile("^[a-z][a-z0-9_]*(\\[[^\\]]*\\])*([.:\\[ ].*)?$",
      Pattern.DOTALL);

  /** One decoder and a valid input for it. */
  record Case(String name, Message base, Decoder decoder) {
    @Override
    public String toString() {
      return name;
    }
  }

  @FunctionalInterface
  interface Decoder {
    Object decode(Message message) throws ResourceInvalidException;
  }

  static Decoder of(XdsResourceType<?> type) {
    return message -> type.decode(message, DecodeContext.discarding());
  }

  static Decoder filterBase(String typeUrl) {
    HttpFilterProvider provider = BuiltInFilters.REGISTRY.get(typeUrl);
    return message -> provider.parseBase((Any) message, "typed_config", DecodeContext.discarding());
  }

  static Decoder filterOverride(String typeUrl) {
    HttpFilterProvider provider = BuiltInFilters.REGISTRY.get(typeUrl);
    return message -> provider.parseOverride((Any) message, "typed_per_filter_config", DecodeContext.discarding());
  }

  static Stream<Case> cases() {
    ListenerType listeners = ListenerType.forMesh(Set.of("default"), BuiltInFilters.REGISTRY, null);
    TestPki.Ca ca = TestPki.root("hostile-ca");
    TestPki.Leaf leaf = ca.leaf("spiffe://cluster.local/ns/default/sa/client");
    Any fault = ValidResources.any(ValidResources.FAULT);
    Any rbac = ValidResources.any(ValidResources.RBAC_FILTER);
    Any jwt = ValidResources.any(ValidResources.jwtFilter());
    Any rbacPerRoute = ValidResources.any("""
        {'@type': 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBACPerRoute', 'rbac': %s}"""
        .formatted(ValidResources.rbacWithoutType()));
    Any jwtPerRoute = ValidResources.any("""
        {'@type': 'type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig',
         'requirement_name': 'r1'}""");
    return Stream.of(
        new Case("LDS client listener (RDS)", ValidResources.clientListener("routes"), of(listeners)),
        new Case("LDS client listener (inline routes)", ValidResources.inlineClientListener(), of(listeners)),
        new Case("LDS server listener", ValidResources.serverListener(), of(listeners)),
        new Case("RDS", ValidResources.routes("routes"), of(RouteConfigurationType.INSTANCE)),
        new Case("CDS", ValidResources.cluster("catalog"), of(ClusterType.INSTANCE)),
        new Case("CDS with TLS", ValidResources.tlsCluster("secure"), of(ClusterType.INSTANCE)),
        new Case("EDS", ValidResources.endpoints("catalog", "127.0.0.1:8080", "127.0.0.2:8080"),
            of(EndpointType.INSTANCE)),
        new Case("SDS certificate", TlsResources.certificateSecret("default", leaf), of(SecretType.INSTANCE)),
        new Case("SDS roots", TlsResources.rootsSecret("ROOTCA", TestPki.pem(ca.certificate())),
            of(SecretType.INSTANCE)),
        new Case("fault filter", fault, filterBase(fault.getTypeUrl())),
        new Case("fault override", fault, filterOverride(fault.getTypeUrl())),
        new Case("RBAC filter", rbac, filterBase(rbac.getTypeUrl())),
        new Case("RBAC override", rbacPerRoute, filterOverride(rbacPerRoute.getTypeUrl())),
        new Case("jwt_authn filter", jwt, filterBase(jwt.getTypeUrl())),
        new Case("jwt_authn override", jwtPerRoute, filterOverride(jwtPerRoute.getTypeUrl())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void onlyResourceInvalidExceptionNamingAFieldEscapes(Case c) throws ResourceInvalidException {
    c.decoder().decode(c.base()); // the starting point is valid
    List<String> failures = new ArrayList<>();
    int rejected = 0;
    long first = REPLAY_SEED != null ? REPLAY_SEED : c.name().hashCode() * 1_000_003L;
    int count = REPLAY_SEED != null ? 1 : MUTATIONS;
    for (int i = 0; i < count && failures.size() < 5; i++) {
      long seed = first + i;
      Message mutated = new ProtoMutator(seed, ValidResources.PACKED_TYPES, 200).mutate(c.base());
      try {
        c.decoder().decode(mutated);
      } catch (ResourceInvalidException e) {
        rejected++;
        if (e.getMessage() == null || !FIELD_PATH.matcher(e.getMessage()).matches()) {
          failures.add("seed " + seed + ": message names no field path: " + abbreviate(e.getMessage()));
        }
      } catch (Throwable t) {
        failures.add("seed " + seed + ": " + t + " at " + whereInMesh4j(t));
      }
    }
    assertThat(failures).as("%s (replay with -Dmesh4j.mutationSeed=<seed>)", c.name()).isEmpty();
    if (REPLAY_SEED == null) {
      // The mutator does reach invalid inputs: a run that rejected nothing tested nothing.
      assertThat(rejected).as("rejected mutations of %s", c.name()).isPositive();
      OUTCOMES.put(c.name(), new int[] {count - rejected, rejected});
    }
  }

  /** The counts, for the benchmark report when {@code benchmarks/run.sh} runs this at the full count. */
  @AfterAll
  static void reportFigures() {
    int total = OUTCOMES.values().stream().mapToInt(o -> o[0] + o[1]).sum();
    ReliabilityFigures figures = ReliabilityFigures.titled(String.format(java.util.Locale.ROOT,
        "Decoders under mutated valid resources: %d mutations (%d per decoder, %d decoders)", total, MUTATIONS,
        OUTCOMES.size()));
    OUTCOMES.forEach((decoder, o) -> figures.add(decoder + ": decoded / rejected naming a field path",
        o[0] + " / " + o[1]));
    figures.add("anything else escaping a decoder", 0).write();
  }

  /** The innermost frame of mesh4j's code, where the escape should have been caught. */
  static String whereInMesh4j(Throwable t) {
    for (StackTraceElement frame : t.getStackTrace()) {
      if (frame.getClassName().startsWith("io.mesh4j.") && !frame.getClassName().contains(".hostile.")) {
        return frame.toString();
      }
    }
    return t.getStackTrace().length > 0 ? t.getStackTrace()[0].toString() : "?";
  }

  static String abbreviate(String text) {
    return text == null || text.length() <= 300 ? text : text.substring(0, 300) + "...";
  }
}
