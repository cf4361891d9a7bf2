package io.mesh4j.samples.controlplane;

/** Sets up slf4j-simple for a command-line program: short timestamps, the libraries' chatter turned down. */
public final class ConsoleLogging {
  private ConsoleLogging() {}

  /** Call first in {@code main}, before any logger exists; settings given with {@code -D} win. */
  public static void configure() {
    setDefault("org.slf4j.simpleLogger.showDateTime", "true");
    setDefault("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss");
    setDefault("org.slf4j.simpleLogger.showThreadName", "false");
    setDefault("org.slf4j.simpleLogger.showShortLogName", "true");
    setDefault("org.slf4j.simpleLogger.log.io.envoyproxy", "warn");
    setDefault("org.slf4j.simpleLogger.log.io.grpc", "warn");
  }

  private static void setDefault(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
