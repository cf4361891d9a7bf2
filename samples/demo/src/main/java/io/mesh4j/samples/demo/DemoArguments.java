package io.mesh4j.samples.demo;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The demo's command line: {@code [--config-dir DIR] [--duration SECONDS] [--admin-port N]}.
 *
 * @param configDir the configuration to serve, or {@code null} to find {@code samples/demo/config}
 * @param duration how long to run, or {@code null} to run until interrupted
 * @param adminPort the mesh's admin endpoint port, 0 for none
 */
record DemoArguments(Path configDir, Duration duration, boolean help, int adminPort) {
  static final int DEFAULT_ADMIN_PORT = 15000;
  static final String USAGE = """
      usage: mesh4j-demo [--config-dir DIR] [--duration SECONDS] [--admin-port N]
        --config-dir DIR      the Envoy resources to serve (default: samples/demo/config of this project)
        --duration SECONDS    stop after this long (default: run until Ctrl-C)
        --admin-port N        the mesh's admin endpoint on 127.0.0.1 (default: 15000; 0 turns it off)""";

  DemoArguments(Path configDir, Duration duration, boolean help) {
    this(configDir, duration, help, DEFAULT_ADMIN_PORT);
  }

  static DemoArguments parse(String... args) {
    Path configDir = null;
    Duration duration = null;
    int adminPort = DEFAULT_ADMIN_PORT;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config-dir" -> configDir = Path.of(value(args, ++i, "--config-dir"));
        case "--duration" -> duration = parseDuration(value(args, ++i, "--duration"));
        case "--admin-port" -> adminPort = parsePort(value(args, ++i, "--admin-port"));
        case "-h", "--help" -> {
          return new DemoArguments(null, null, true);
        }
        default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
      }
    }
    return new DemoArguments(configDir, duration, false, adminPort);
  }

  private static int parsePort(String port) {
    try {
      int value = Integer.parseInt(port);
      if (value >= 0 && value <= 65535) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("--admin-port must be a port, or 0 for none: " + port);
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
