package io.mesh4j.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.TypeConversionException;

/** Durations as people write them: {@code 500ms}, {@code 2s}, {@code 1m}; a bare number is seconds. */
final class DurationFlag {
  private static final Pattern FORMAT = Pattern.compile("(\\d+)(ms|s|m)?");

  private DurationFlag() {}

  static Duration parse(String text) {
    Matcher m = FORMAT.matcher(text.trim());
    if (!m.matches()) {
      throw new TypeConversionException("'" + text + "' is not a duration (like 500ms, 2s or 1m)");
    }
    long amount = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    Duration duration = unit.equals("ms") ? Duration.ofMillis(amount)
        : unit.equals("m") ? Duration.ofMinutes(amount) : Duration.ofSeconds(amount);
    if (duration.isZero()) {
      throw new TypeConversionException("'" + text + "' must be more than zero");
    }
    return duration;
  }
}
