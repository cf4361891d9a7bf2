package io.mesh4j.runtime.okhttp;

import io.mesh4j.runtime.view.HeaderEditor;
import okhttp3.Headers;

/** Header mutations over an OkHttp {@link Headers.Builder}. */
final class OkHttpHeaderEditor implements HeaderEditor {
  private final Headers.Builder headers;

  OkHttpHeaderEditor(Headers.Builder headers) {
    this.headers = headers;
  }

  @Override
  public boolean has(String name) {
    return headers.get(name) != null;
  }

  @Override
  public void add(String name, String value) {
    headers.addUnsafeNonAscii(name, value);
  }

  @Override
  public void set(String name, String value) {
    headers.removeAll(name);
    headers.addUnsafeNonAscii(name, value);
  }

  @Override
  public void remove(String name) {
    headers.removeAll(name);
  }
}
