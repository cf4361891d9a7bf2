package io.mesh4j.runtime.bootstrap;

/** The parsed gRPC xDS bootstrap. Filled in by the xDS client work. */
public final class Bootstrap {}
