package io.dovetail.common.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

class ReceivePoolTest {

  @Test
  void buffersHaveTheExactCapacityAndShareTheirClassMemory() {
    try (ReceivePool pool = new ReceivePool(4L << 20)) {
      ByteBuf a = pool.take(100_000);
      assertThat(a.capacity()).isEqualTo(100_000);
      assertThat(a.maxCapacity()).isEqualTo(100_000);
      assertThat(a.writerIndex()).isZero();
      a.writerIndex(100_000).setByte(99_999, 42);
      ByteBuf slice = a.retainedSlice(99_999, 1);
      assertThat(slice.getByte(0)).isEqualTo((byte) 42);
      a.release();
      assertThat(pool.idleBytes()).as("the slice still holds it").isZero();
      ByteBuf b = pool.take(131_072);
      assertThat(pool.reuseCount()).isZero();
      b.release();
      assertThat(pool.allocatedBytes()).isEqualTo(2 * 128 * 1024);
      slice.release();
      assertThat(pool.idleBytes()).isEqualTo(2 * 128 * 1024);
    }
  }

  @Test
  void memoryReleasedFromAnotherThreadIsReused() throws Exception {
    try (ReceivePool pool = new ReceivePool(4L << 20)) {
      ByteBuf a = pool.take(1 << 20);
      Thread t = new Thread(a::release);
      t.start();
      t.join();
      assertThat(pool.idleBytes()).isEqualTo(1 << 20);
      ByteBuf b = pool.take(700_000);
      assertThat(pool.reuseCount()).isEqualTo(1);
      assertThat(pool.allocatedBytes()).isEqualTo(1 << 20);
      b.release();
    }
  }

  @Test
  void idleMemoryStaysWithinItsLimitAndCloseFreesIt() {
    ReceivePool pool = new ReceivePool(1L << 20);
    ByteBuf[] bufs = new ByteBuf[4];
    for (int i = 0; i < bufs.length; i++) {
      bufs[i] = pool.take(512 * 1024);
    }
    assertThat(pool.allocatedBytes()).isEqualTo(2L << 20);
    for (ByteBuf b : bufs) {
      b.release();
    }
    assertThat(pool.idleBytes()).isEqualTo(1L << 20);
    assertThat(pool.allocatedBytes()).isEqualTo(1L << 20);
    pool.close();
    assertThat(pool.allocatedBytes()).isZero();
    ByteBuf late = pool.take(64 * 1024);
    late.release();
    assertThat(pool.idleBytes()).as("nothing is kept after close").isZero();
  }

  @Test
  void classesArePowersOfTwoToOneMibThenWholeMibs() {
    int[][] expected = {{1, 65_536}, {65_536, 65_536}, {65_537, 131_072}, {1 << 20, 1 << 20},
        {(1 << 20) + 1, 2 << 20}, {(4 << 20) + 12, 5 << 20}, {16 << 20, 16 << 20}};
    for (int[] e : expected) {
      assertThat(ReceivePool.classBytes(ReceivePool.sizeClass(e[0]))).as("class of %d", e[0])
          .isEqualTo(e[1]);
    }
    try (ReceivePool pool = new ReceivePool(64L << 20)) {
      pool.take((4 << 20) + 12).release();
      assertThat(pool.idleBytes()).isEqualTo(5L << 20);
      pool.take(16 << 20).release();
      assertThat(pool.idleBytes()).isEqualTo(21L << 20);
    }
  }

  @Test
  void onlyBodiesWithinTheClassesAreAccepted() {
    try (ReceivePool pool = new ReceivePool(1L << 20)) {
      assertThat(pool.accepts(ReceivePool.MIN_CLASS - 1)).isFalse();
      assertThat(pool.accepts(ReceivePool.MIN_CLASS)).isTrue();
      assertThat(pool.accepts(ReceivePool.MAX_CLASS)).isTrue();
      assertThat(pool.accepts(ReceivePool.MAX_CLASS + 1)).isFalse();
      assertThatThrownBy(() -> pool.take(ReceivePool.MAX_CLASS + 1))
          .isInstanceOf(IllegalArgumentException.class);
    }
    try (ReceivePool off = new ReceivePool(0)) {
      assertThat(off.accepts(1 << 20)).isFalse();
    }
  }
}
