/** Small shared utilities: named threads, service lifecycle, clocks, checksums, addresses. */
package io.dovetail.common.util;
