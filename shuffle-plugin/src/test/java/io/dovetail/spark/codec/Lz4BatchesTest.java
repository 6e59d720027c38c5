package io.dovetail.spark.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class Lz4BatchesTest {
  private final Lz4Batches.Decoder decoder = new Lz4Batches.Decoder();

  private static byte[] compressible(int size) {
    byte[] b = new byte[size];
    byte[] word = "dovetail-record-".getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < size; i++) {
      b[i] = word[i % word.length];
    }
    return b;
  }

  private byte[] decode(ByteBuf payload) throws IOException {
    try (InputStream in = decoder.open(payload)) {
      return in.readAllBytes();
    }
  }

  @Test
  void compressibleRecordsRoundTripSmaller() throws IOException {
    byte[] records = compressible(300_000);
    ByteBuf payload = Lz4Batches.encode(records, 0, records.length, PooledByteBufAllocator.DEFAULT);
    try {
      assertThat(payload.getByte(0)).isEqualTo(Lz4Batches.LZ4);
      assertThat(payload.readableBytes()).isLessThan(records.length / 10);
      assertThat(decode(payload)).isEqualTo(records);
      // The decoder's buffer is reused for a smaller batch.
      byte[] small = compressible(1000);
      ByteBuf second = Lz4Batches.encode(small, 0, small.length, PooledByteBufAllocator.DEFAULT);
      assertThat(decode(second)).isEqualTo(small);
      second.release();
    } finally {
      payload.release();
    }
  }

  @Test
  void aCompressedPayloadKeepsNoBufferOfItsUncompressedSize() throws IOException {
    for (byte[] records : new byte[][] {new byte[256 * 1024], compressible(256 * 1024)}) {
      ByteBuf payload =
          Lz4Batches.encode(records, 0, records.length, PooledByteBufAllocator.DEFAULT);
      try {
        assertThat(payload.readableBytes()).isLessThan(records.length / 10);
        assertThat(payload.capacity()).as("capacity of a %d-byte payload",
            payload.readableBytes()).isLessThan(2 * payload.readableBytes());
        assertThat(decode(payload)).isEqualTo(records);
      } finally {
        payload.release();
      }
    }
  }

  @Test
  void incompressibleRecordsAreStoredAsTheyAre() throws IOException {
    byte[] random = new byte[10_000];
    new Random(3).nextBytes(random);
    ByteBuf payload = Lz4Batches.encode(random, 100, 9_000, PooledByteBufAllocator.DEFAULT);
    try {
      assertThat(payload.getByte(0)).isEqualTo(Lz4Batches.STORED);
      assertThat(payload.readableBytes()).isEqualTo(Lz4Batches.HEADER + 9_000);
      assertThat(decode(payload)).isEqualTo(java.util.Arrays.copyOfRange(random, 100, 9_100));
    } finally {
      payload.release();
    }
  }

  @Test
  void aPayloadJoinedFromFragmentsDecodes() throws IOException {
    byte[] records = compressible(200_000);
    ByteBuf payload = Lz4Batches.encode(records, 0, records.length, PooledByteBufAllocator.DEFAULT);
    int half = payload.readableBytes() / 2;
    CompositeByteBuf joined = Unpooled.compositeBuffer();
    joined.addComponent(true, Unpooled.copiedBuffer(payload.slice(0, half)));
    joined.addComponent(true, Unpooled.copiedBuffer(payload.slice(half, payload.readableBytes() - half)));
    payload.release();
    try {
      assertThat(decode(joined)).isEqualTo(records);
    } finally {
      joined.release();
    }
  }

  @Test
  void damagedPayloadsFailWithAClearError() {
    byte[] records = compressible(50_000);
    ByteBuf payload = Lz4Batches.encode(records, 0, records.length, PooledByteBufAllocator.DEFAULT);
    try {
      ByteBuf wrongLength = payload.copy().setInt(1, records.length + 7);
      assertThatThrownBy(() -> decode(wrongLength)).isInstanceOf(IOException.class)
          .hasMessageContaining("LZ4 batch");
      wrongLength.release();
      ByteBuf truncated = payload.copy(0, payload.readableBytes() - 3);
      assertThatThrownBy(() -> decode(truncated)).isInstanceOf(IOException.class);
      truncated.release();
      ByteBuf unknownKind = payload.copy().setByte(0, 9);
      assertThatThrownBy(() -> decode(unknownKind)).isInstanceOf(IOException.class)
          .hasMessageContaining("kind 9");
      unknownKind.release();
      assertThatThrownBy(() -> decode(Unpooled.wrappedBuffer(new byte[] {1, 0})))
          .hasMessageContaining("shorter than its header");
    } finally {
      payload.release();
    }
  }

  @Test
  void lz4BlocksOnlyForUnencryptedLz4Shuffles() {
    assertThat(BatchFormat.choose(new SparkConf(false), "auto")).isEqualTo(BatchFormat.LZ4_BLOCK);
    assertThat(BatchFormat.choose(new SparkConf(false)
        .set("spark.io.compression.codec", "org.apache.spark.io.LZ4CompressionCodec"), "auto"))
        .isEqualTo(BatchFormat.LZ4_BLOCK);
    assertThat(BatchFormat.choose(new SparkConf(false), "spark"))
        .isEqualTo(BatchFormat.SPARK_STREAMS);
    assertThat(BatchFormat.choose(new SparkConf(false).set("spark.io.compression.codec", "zstd"),
        "auto")).isEqualTo(BatchFormat.SPARK_STREAMS);
    assertThat(BatchFormat.choose(new SparkConf(false).set("spark.io.encryption.enabled", "true"),
        "auto")).isEqualTo(BatchFormat.SPARK_STREAMS);
    assertThat(BatchFormat.choose(new SparkConf(false).set("spark.shuffle.compress", "false"),
        "auto")).isEqualTo(BatchFormat.SPARK_STREAMS);
  }
}
