package io.mesh4j.samples.demo;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The demo's command line: {@code [--config-dir DIR] [--duration SECONDS]}.
 *
 * @param configDir the configuration to serve, or {@code null} to find {@code samples/demo/config}
 * @param duration how long to run, or {@code null} to run until interrupted
 */
record DemoArguments(Path configDir, Duration duration, boolean help) {
  static final String USAGE = """
      usage: mesh4j-demo [--config-dir DIR] [--duration SECONDS]
        --config-dir DIR      the Envoy resources to serve (default: samples/demo/config of this project)
        --duration SECONDS    stop after this long (default: run until Ctrl-C)""";

  static DemoArguments parse(String... args) {
    Path configDir = null;
    Duration duration = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config-dir" -> configDir = Path.of(value(args, ++i, "--config-dir"));
        case "--duration" -> duration = parseDuration(value(args, ++i, "--duration"));
        case "-h", "--help" -> {
          return new DemoArguments(null, null, true);
        }
        default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
      }
    }
    return new DemoArguments(configDir, duration, false);
  }

  private static String value(String[] args, int index, String option) {
    if (index >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[index];
  }

  private static Duration parseDuration(String seconds) {
    try {
      long value = Long.parseLong(seconds);
      if (value <= 0) {
        throw new IllegalArgumentException("--duration must be a positive number of seconds: " + seconds);
      }
      return Duration.ofSeconds(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--duration must be a whole number of seconds: " + seconds, e);
    }
  }
}
