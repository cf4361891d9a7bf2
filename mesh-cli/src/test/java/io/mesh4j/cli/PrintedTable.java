package io.mesh4j.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads back a table meshctl printed: each row as column name → cell, cut at the header's column starts. */
final class PrintedTable {
  private PrintedTable() {}

  static List<Map<String, String>> parse(String printed, List<String> columns) {
    String[] lines = printed.split("\n");
    int headerAt = -1;
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].startsWith(columns.get(0) + " ")) {
        headerAt = i;
        break;
      }
    }
    if (headerAt < 0) {
      throw new AssertionError("no table header in:\n" + printed);
    }
    String header = lines[headerAt];
    int[] starts = new int[columns.size()];
    for (int c = 0; c < columns.size(); c++) {
      starts[c] = header.indexOf(columns.get(c));
      if (starts[c] < 0) {
        throw new AssertionError("no column " + columns.get(c) + " in: " + header);
      }
    }
    List<Map<String, String>> rows = new ArrayList<>();
    for (int i = headerAt + 1; i < lines.length && !lines[i].isBlank(); i++) {
      Map<String, String> row = new LinkedHashMap<>();
      for (int c = 0; c < columns.size(); c++) {
        int end = c + 1 < columns.size() ? Math.min(starts[c + 1], lines[i].length()) : lines[i].length();
        row.put(columns.get(c), lines[i].substring(Math.min(starts[c], lines[i].length()), end).trim());
      }
      rows.add(row);
    }
    return rows;
  }
}
