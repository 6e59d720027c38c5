package io.dovetail.storage.disk;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.testkit.TestDirs;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataDirsTest {

  @Test
  void filesGoRoundRobinToDirectoriesWithRoom() throws Exception {
    DataDir a = new DataDir(0, TestDirs.create("dir-a"), 1 << 20, 0, 1);
    DataDir b = new DataDir(1, TestDirs.create("dir-b"), 1 << 20, 0, 1);
    DataDir c = new DataDir(2, TestDirs.create("dir-c"), 1 << 20, 0, 1);
    DataDirs dirs = new DataDirs(List.of(a, b, c));
    List<DataDir> chosen = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      chosen.add(dirs.choose());
    }
    assertThat(chosen).containsExactly(a, b, c, a, b, c);

    // b is full: it is skipped until space is given back.
    assertThat(b.tryReserve(1 << 20)).isTrue();
    assertThat(b.tryReserve(1)).isFalse();
    assertThat(b.hasRoom()).isFalse();
    chosen.clear();
    for (int i = 0; i < 4; i++) {
      chosen.add(dirs.choose());
    }
    assertThat(chosen).doesNotContain(b).contains(a, c);
    b.unreserve(1 << 20);
    assertThat(b.hasRoom()).isTrue();

    for (DataDir d : List.of(a, b, c)) {
      assertThat(d.tryReserve(1 << 20)).isTrue();
    }
    assertThat(dirs.choose()).as("every directory full").isNull();
    assertThat(dirs.status()).allSatisfy(s -> {
      assertThat(s.getCapacityBytes()).isEqualTo(1 << 20);
      assertThat(s.getUsableBytes()).isZero();
      assertThat(s.getHealthy()).isTrue();
    });
  }

  @Test
  void diskReserveLimitsWhatADirectoryMayHold() throws Exception {
    DataDir d = new DataDir(0, TestDirs.create("dir-reserve"), 0, Long.MAX_VALUE / 4, 1);
    assertThat(d.hasRoom()).as("a reserve larger than the disk leaves no room").isFalse();
    assertThat(d.tryReserve(1)).isFalse();
  }
}
