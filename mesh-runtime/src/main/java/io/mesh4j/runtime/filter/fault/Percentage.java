package io.mesh4j.runtime.filter.fault;

/**
 * A {@code FractionalPercent} as Envoy samples it: a request is in when {@code random % denominator < numerator}
 * (a numerator above the denominator means always).
 */
public record Percentage(long numerator, long denominator) {
  /** Envoy's default for an unset percentage: the proto's zero value, so never. */
  static final Percentage ZERO = new Percentage(0, 100);

  public Percentage {
    if (denominator <= 0 || numerator < 0) {
      throw new IllegalArgumentException(numerator + "/" + denominator);
    }
  }

  boolean sample(long random) {
    return Long.remainderUnsigned(random, denominator) < numerator;
  }

  /**
   * The percentage a request header asks for, capped by this one (Envoy's HeaderPercentageProvider): the header's
   * numerator over this denominator, at most this numerator. An absent or non-numeric header leaves this one.
   */
  Percentage cappedBy(String header) {
    long asked = FaultHeaders.parseUnsigned(header);
    if (asked < 0) {
      return this;
    }
    return new Percentage(Math.min(asked, numerator), denominator);
  }
}
