/** Small shared utilities: named threads, service lifecycle, checksums, addresses. */
package io.dovetail.common.util;
