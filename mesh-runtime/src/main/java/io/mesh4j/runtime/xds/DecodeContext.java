package io.mesh4j.runtime.xds;

/** What a decoder may consult or report while it turns a proto into a validated record. */
public interface DecodeContext {

  /**
   * Records a field that was accepted but does not change what a request does (e.g. {@code lrs_server}). The
   * client logs each distinct note once and lists it in the status view.
   */
  void ignoredField(String description);

  /** A context that discards notes, for tests and benchmarks. */
  static DecodeContext discarding() {
    return description -> {};
  }
}
