package io.mesh4j.runtime.xds;

import java.util.ArrayList;
import java.util.List;

/** A DecodeContext that keeps the notes, so tests can assert what was accepted but ignored. */
public final class NoteCollector implements DecodeContext {
  public final List<String> notes = new ArrayList<>();

  @Override
  public void ignoredField(String description) {
    notes.add(description);
  }
}
