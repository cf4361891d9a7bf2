package io.mesh4j.runtime.util;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Expected values from the reference implementation (libxxhash 0.8 {@code XXH64}), covering every tail path. */
class XxHash64Test {

  @ParameterizedTest
  @CsvSource({
    "'', 0, ef46db3751d8e999",
    "a, 0, d24ec4f1a98c6e5b",
    "abc, 0, 44bc2cf5ad770999",
    "xxhash, 0, 32dd38952c4bc720",
    "xxhash, 20141025, b559b98d844e0635",
    "Nobody inspects the spammish repetition, 0, fbcea83c8a378bf1",
    "127.0.0.1:8080_0, 0, f673a43b9624fa24",
    "0123456789abcdef0123456789abcdef0123456789, 1, 2b8d7720869b31a6",
    "'', 1, d5afba1336a3be4b",
  })
  void matchesTheReferenceImplementation(String input, long seed, String expectedHex) {
    assertThat(XxHash64.hash(input, seed)).isEqualTo(Long.parseUnsignedLong(expectedHex, 16));
  }
}
