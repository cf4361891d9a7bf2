package io.mesh4j.runtime.view;

/** A transport's mutable headers (request or response), as header mutations edit them. Names are case-insensitive. */
public interface HeaderEditor {

  /** Whether the header is present. */
  boolean has(String name);

  /** Adds one value, keeping the existing ones. */
  void add(String name, String value);

  /** Replaces every value with this one. */
  void set(String name, String value);

  /** Removes every value. */
  void remove(String name);
}
