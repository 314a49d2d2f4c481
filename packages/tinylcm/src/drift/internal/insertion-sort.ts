/**
 * Sorts `a[0..n)` ascending in place. Whether `TypedArray.prototype.sort` allocates is an engine
 * detail (with a comparator V8 sorts a temporary copy); this is allocation-free on every engine,
 * and the samples sorted here are small (statSize, windowSize), so O(n²) costs little.
 */
export function insertionSort(a: Float64Array, n: number = a.length): void {
  for (let i = 1; i < n; i++) {
    const v = a[i]!;
    let j = i - 1;
    for (; j >= 0 && a[j]! > v; j--) a[j + 1] = a[j]!;
    a[j + 1] = v;
  }
}
