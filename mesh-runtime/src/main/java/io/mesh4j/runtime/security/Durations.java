package io.mesh4j.runtime.security;

import io.mesh4j.MeshConfigurationException;
import java.math.BigDecimal;
import java.time.Duration;

/** Bootstrap durations: the JSON form of {@code google.protobuf.Duration} ("600s", "1.5s"), or a number of seconds. */
final class Durations {
  private Durations() {}

  static Duration parse(Object value, String where) {
    try {
      BigDecimal seconds;
      if (value instanceof Number n) {
        seconds = new BigDecimal(n.toString());
      } else if (value instanceof String s && s.endsWith("s")) {
        seconds = new BigDecimal(s.substring(0, s.length() - 1));
      } else {
        throw new MeshConfigurationException(where + ": must be a duration like \"600s\"");
      }
      return Duration.ofNanos(seconds.movePointRight(9).longValueExact());
    } catch (NumberFormatException | ArithmeticException e) {
      throw new MeshConfigurationException(where + ": must be a duration like \"600s\"");
    }
  }
}
