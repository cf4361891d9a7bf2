package io.mesh4j.runtime.route;

import static io.mesh4j.runtime.xds.FieldPath.of;

import io.envoyproxy.envoy.config.route.v3.RetryPolicy.RetryBackOff;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy.RetryHostPredicate;
import io.mesh4j.runtime.matcher.HeaderMatcher;
import io.mesh4j.runtime.matcher.MatcherDecoder;
import io.mesh4j.runtime.policy.RetryBackoff;
import io.mesh4j.runtime.policy.RetryOn;
import io.mesh4j.runtime.policy.RetryPolicy;
import io.mesh4j.runtime.view.RequestView;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.FieldAllowList;
import io.mesh4j.runtime.xds.FieldPath;
import io.mesh4j.runtime.xds.ProtoDurations;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Compiles an {@code envoy.config.route.v3.RetryPolicy} (route or virtual host) into a {@link RetryPolicy}, with
 * Envoy's defaults: {@code num_retries} 1, back-off base 25 ms and max 10 x base, one extra host selection.
 *
 * <p>Implemented: {@code retry_on} (every HTTP and gRPC token Envoy knows; an unknown one is rejected),
 * {@code num_retries}, {@code per_try_timeout}, {@code per_try_idle_timeout}, {@code retry_back_off},
 * {@code retriable_status_codes}, {@code retriable_headers}, {@code retriable_request_headers},
 * {@code retry_host_predicate} (only {@code envoy.retry_host_predicates.previous_hosts}),
 * {@code host_selection_retry_max_attempts}. Rejected: {@code retry_priority}, {@code retry_options_predicates},
 * {@code rate_limited_retry_back_off}, other host predicates.
 */
final class RetryPolicyDecoder {
  static final String PREVIOUS_HOSTS = "envoy.retry_host_predicates.previous_hosts";
  static final String PREVIOUS_HOSTS_TYPE_URL =
      "type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate";

  private static final FieldAllowList RETRY_POLICY =
      FieldAllowList.of(
          Set.of("retry_on", "num_retries", "per_try_timeout", "per_try_idle_timeout", "retry_host_predicate",
              "host_selection_retry_max_attempts", "retriable_status_codes", "retry_back_off", "retriable_headers",
              "retriable_request_headers"),
          Map.of());
  private static final FieldAllowList RETRY_BACK_OFF =
      FieldAllowList.of(Set.of("base_interval", "max_interval"), Map.of());
  private static final FieldAllowList HOST_PREDICATE = FieldAllowList.of(Set.of("name", "typed_config"), Map.of());

  private RetryPolicyDecoder() {}

  static RetryPolicy decode(io.envoyproxy.envoy.config.route.v3.RetryPolicy proto, String path, DecodeContext context)
      throws ResourceInvalidException {
    RETRY_POLICY.check(proto, path, context);
    int retryOn = retryOn(proto.getRetryOn(), of(path, "retry_on"));
    int numRetries = RetryPolicy.DEFAULT_NUM_RETRIES;
    if (proto.hasNumRetries()) {
      long n = Integer.toUnsignedLong(proto.getNumRetries().getValue());
      if (n > Integer.MAX_VALUE - 1) {
        throw FieldPath.invalid(of(path, "num_retries"), n + " is too large");
      }
      numRetries = (int) n;
    }
    long perTry = nanos(proto.hasPerTryTimeout() ? proto.getPerTryTimeout() : null, of(path, "per_try_timeout"));
    long perTryIdle =
        nanos(proto.hasPerTryIdleTimeout() ? proto.getPerTryIdleTimeout() : null, of(path, "per_try_idle_timeout"));
    RetryBackoff backoff = RetryBackoff.DEFAULT;
    if (proto.hasRetryBackOff()) {
      backoff = backoff(proto.getRetryBackOff(), of(path, "retry_back_off"), context);
    }
    int[] codes = new int[proto.getRetriableStatusCodesCount()];
    for (int i = 0; i < codes.length; i++) {
      int code = proto.getRetriableStatusCodes(i);
      if (code < 100 || code > 599) {
        throw FieldPath.invalid(
            of(path, "retriable_status_codes", i), Integer.toUnsignedString(code) + " is not an HTTP status");
      }
      codes[i] = code;
    }
    List<Predicate<RequestView>> headers = matchers(proto.getRetriableHeadersList(), path, "retriable_headers", context);
    List<Predicate<RequestView>> requestHeaders =
        matchers(proto.getRetriableRequestHeadersList(), path, "retriable_request_headers", context);
    boolean avoidPreviousHosts = false;
    for (int i = 0; i < proto.getRetryHostPredicateCount(); i++) {
      hostPredicate(proto.getRetryHostPredicate(i), of(path, "retry_host_predicate", i), context);
      avoidPreviousHosts = true;
    }
    long selections = proto.getHostSelectionRetryMaxAttempts();
    if (selections < 0 || selections > Integer.MAX_VALUE) {
      throw FieldPath.invalid(
          of(path, "host_selection_retry_max_attempts"), selections + " is out of range");
    }
    // proto3 cannot tell 0 from unset; Envoy's default is one extra selection.
    int hostSelectionMaxAttempts = selections == 0 ? 1 : (int) selections;
    return new RetryPolicy(retryOn, numRetries, perTry, perTryIdle, backoff, codes, headers, requestHeaders,
        avoidPreviousHosts, hostSelectionMaxAttempts);
  }

  /** Comma-separated tokens, spaces around them allowed, as Envoy's StringUtil::splitToken with trimming. */
  static int retryOn(String value, String path) throws ResourceInvalidException {
    int bits = 0;
    for (String raw : value.split(",", -1)) {
      String token = raw.strip();
      if (token.isEmpty()) {
        continue;
      }
      int bit = RetryOn.token(token);
      if (bit == 0) {
        throw FieldPath.invalid(path, "unknown retry condition '" + token + "'");
      }
      bits |= bit;
    }
    return bits;
  }

  private static RetryBackoff backoff(RetryBackOff proto, String path, DecodeContext context)
      throws ResourceInvalidException {
    RETRY_BACK_OFF.check(proto, path, context);
    if (!proto.hasBaseInterval()) {
      throw FieldPath.invalid(of(path, "base_interval"), "is required");
    }
    Duration base = ProtoDurations.nonNegative(proto.getBaseInterval(), of(path, "base_interval"));
    if (base.isZero()) {
      throw FieldPath.invalid(of(path, "base_interval"), "must be greater than 0");
    }
    Duration max = null;
    if (proto.hasMaxInterval()) {
      max = ProtoDurations.nonNegative(proto.getMaxInterval(), of(path, "max_interval"));
      if (max.compareTo(base) < 0) {
        throw FieldPath.invalid(
            of(path, "max_interval"), max + " must not be less than base_interval " + base);
      }
    }
    return RetryBackoff.of(base, max);
  }

  private static void hostPredicate(RetryHostPredicate proto, String path, DecodeContext context)
      throws ResourceInvalidException {
    HOST_PREDICATE.check(proto, path, context);
    if (proto.hasTypedConfig()) {
      String typeUrl = proto.getTypedConfig().getTypeUrl();
      if (!typeUrl.equals(PREVIOUS_HOSTS_TYPE_URL)) {
        throw FieldPath.invalid(
            of(path, "typed_config"), "host predicate " + typeUrl + " is not supported (only previous_hosts)");
      }
      return;
    }
    if (!proto.getName().equals(PREVIOUS_HOSTS)) {
      throw FieldPath.invalid(
          of(path, "name"), "host predicate '" + proto.getName() + "' is not supported (only " + PREVIOUS_HOSTS + ")");
    }
  }

  private static List<Predicate<RequestView>> matchers(
      List<io.envoyproxy.envoy.config.route.v3.HeaderMatcher> protos, String path, String field, DecodeContext context)
      throws ResourceInvalidException {
    List<Predicate<RequestView>> matchers = new ArrayList<>(protos.size());
    for (int i = 0; i < protos.size(); i++) {
      HeaderMatcher matcher = MatcherDecoder.decodeHeaderMatcher(protos.get(i), of(path, field, i), context);
      matchers.add(matcher::matches);
    }
    return matchers;
  }

  private static long nanos(com.google.protobuf.Duration proto, String path) throws ResourceInvalidException {
    return proto == null ? 0 : ProtoDurations.nonNegative(proto, path).toNanos();
  }
}
