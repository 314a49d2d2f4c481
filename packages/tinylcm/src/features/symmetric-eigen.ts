/** Eigen decomposition of a symmetric matrix: values descending, `vectors[j]` the unit eigenvector of `values[j]`. */
export interface SymmetricEigen {
  values: Float64Array;
  vectors: Float64Array[];
}

/**
 * Cyclic Jacobi eigen decomposition of a symmetric `n × n` matrix (row-major, overwritten).
 * O(n³) per sweep, typically 6–12 sweeps; accurate to rounding for well-separated eigenvalues.
 * Used only when fitting a PCA on the device or in tooling, never per frame.
 * @example
 * symmetricEigen(Float64Array.of(2, 1, 1, 2), 2).values; // Float64Array [3, 1]
 */
export function symmetricEigen(a: Float64Array, n: number, maxSweeps = 100): SymmetricEigen {
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  const scale = frobenius(a);
  for (let sweep = 0; sweep < maxSweeps && offDiagonal(a, n) > 1e-24 * scale * scale; sweep++) {
    for (let p = 0; p < n - 1; p++) for (let q = p + 1; q < n; q++) rotate(a, v, n, p, q);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (x, y) => (a[y * n + y] as number) - (a[x * n + x] as number),
  );
  return {
    values: Float64Array.from(order, (j) => a[j * n + j] as number),
    vectors: order.map((j) => Float64Array.from({ length: n }, (_, i) => v[i * n + j] as number)),
  };
}

/** One Jacobi rotation zeroing a[p][q] (Numerical Recipes' stable tangent formula). */
function rotate(a: Float64Array, v: Float64Array, n: number, p: number, q: number): void {
  const apq = a[p * n + q] as number;
  if (apq === 0) return;
  const theta = ((a[q * n + q] as number) - (a[p * n + p] as number)) / (2 * apq);
  const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
  const c = 1 / Math.sqrt(t * t + 1);
  const s = t * c;
  for (let k = 0; k < n; k++) {
    const akp = a[k * n + p] as number;
    const akq = a[k * n + q] as number;
    a[k * n + p] = c * akp - s * akq;
    a[k * n + q] = s * akp + c * akq;
  }
  for (let k = 0; k < n; k++) {
    const apk = a[p * n + k] as number;
    const aqk = a[q * n + k] as number;
    a[p * n + k] = c * apk - s * aqk;
    a[q * n + k] = s * apk + c * aqk;
    const vkp = v[k * n + p] as number;
    const vkq = v[k * n + q] as number;
    v[k * n + p] = c * vkp - s * vkq;
    v[k * n + q] = s * vkp + c * vkq;
  }
}

function offDiagonal(a: Float64Array, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) sum += (a[i * n + j] as number) ** 2;
  return sum;
}

function frobenius(a: Float64Array): number {
  let sum = 0;
  for (const x of a) sum += x * x;
  return Math.sqrt(sum);
}
