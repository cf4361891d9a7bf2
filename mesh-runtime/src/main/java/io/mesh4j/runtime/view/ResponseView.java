package io.mesh4j.runtime.view;

/** What retry classification and outlier detection read of a response, whatever the transport. */
public interface ResponseView {
  int status();

  /** All values of a header joined with {@code ","}, or {@code null}; the name is lower case. */
  String header(String lowerCaseName);
}
