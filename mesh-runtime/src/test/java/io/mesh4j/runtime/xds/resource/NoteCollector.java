package io.mesh4j.runtime.xds.resource;

import io.mesh4j.runtime.xds.DecodeContext;
import java.util.ArrayList;
import java.util.List;

/** A DecodeContext that keeps the notes, so tests can assert what was accepted but ignored. */
final class NoteCollector implements DecodeContext {
  final List<String> notes = new ArrayList<>();

  @Override
  public void ignoredField(String description) {
    notes.add(description);
  }
}
