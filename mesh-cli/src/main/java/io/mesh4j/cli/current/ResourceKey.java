package io.mesh4j.cli.current;

/** A resource by type URL and name. */
public record ResourceKey(String typeUrl, String name) {}
