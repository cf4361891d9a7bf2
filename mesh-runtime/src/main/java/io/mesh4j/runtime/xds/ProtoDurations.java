package io.mesh4j.runtime.xds;

import static io.mesh4j.runtime.xds.FieldPath.invalid;

import com.google.protobuf.Duration;
import com.google.protobuf.util.Durations;

/** Proto {@code Duration} fields as {@link java.time.Duration}s, checked, for every decoder. */
public final class ProtoDurations {
  private ProtoDurations() {}

  /** A route's durations (timeouts, back-off intervals): non-negative, nanos in range. */
  public static java.time.Duration nonNegative(Duration proto, String path) throws ResourceInvalidException {
    if (proto.getSeconds() < 0 || proto.getNanos() < 0 || proto.getNanos() > 999_999_999) {
      throw invalid(path, "must be a non-negative duration, got " + proto.getSeconds() + "s " + proto.getNanos() + "ns");
    }
    return saturated(proto.getSeconds(), proto.getNanos());
  }

  /**
   * About 73 years: as good as forever for a timeout or interval, and small enough that its nanoseconds can be added
   * to {@link System#nanoTime()} without overflow, which a control plane's 10,000-year duration would not be.
   */
  public static final java.time.Duration LONGEST = java.time.Duration.ofNanos(Long.MAX_VALUE / 4);

  private static java.time.Duration saturated(long seconds, int nanos) {
    return seconds >= LONGEST.getSeconds() ? LONGEST : java.time.Duration.ofSeconds(seconds, nanos);
  }

  /** A listener's or cluster's durations: valid as protobuf defines it and not negative. */
  public static java.time.Duration valid(Duration d, String path) throws ResourceInvalidException {
    if (!Durations.isValid(d) || Durations.isNegative(d)) {
      throw new ResourceInvalidException(path + ": invalid duration " + d.getSeconds() + "s " + d.getNanos() + "ns");
    }
    return saturated(d.getSeconds(), d.getNanos());
  }
}
