/**
 * Sorts `a[0..n)` ascending in place. `TypedArray.prototype.sort` copies its input in V8 (we
 * measured ~240 bytes per KSWIN update), which breaks the no-allocation rule; the samples sorted
 * here are small (statSize, windowSize), so O(n²) insertion sort costs less than the copy.
 */
export function insertionSort(a: Float64Array, n: number = a.length): void {
  for (let i = 1; i < n; i++) {
    const v = a[i]!;
    let j = i - 1;
    for (; j >= 0 && a[j]! > v; j--) a[j + 1] = a[j]!;
    a[j + 1] = v;
  }
}
