/** The explanations under the real-stream tables of docs/drift-benchmark.md (kept apart: it is prose). */
export const DRIFT_NOTES = `**Why the ✗ cells, and what would fix them.**

- *Class mix (gradual), every family.* The mix ramps from 0 to 90 % trouser + sandal over the
  first 150 frames of each episode; trousers and sandals are known classes, so the only evidence
  is how often they come. Over the first 15 frames the ramp adds 0.6 of a trouser or sandal to the
  3.75 expected anyway: the Kullback–Leibler divergence of those 15 predicted classes from the
  reference mix is about 0.05 nats, where ≤ 1 false alarm per 10⁴ frames needs a log-likelihood
  ratio near ln 10⁴ ≈ 9. No detector can meet 15 frames here, with or without labels: given its
  class an image is drawn as before the drift, so the classes are all the evidence there is, and
  the best test on the true classes, told the onset, finds under 0.5 % of ramps by frame 15 at
  one false alarm per 645 decisions, under 10 % at one per 20
  (\`npx tsx bench/drift-mix-bound.ts\`). The default
  set's \`class mix\` member (\`prediction-distribution\` once per scene, keeping its learnt mix) finds
  every ramp on independent frames after 120–126 frames. On correlated streams its 50-scene window
  (and 100-scene warm-up) spans ≈ 750 frames, longer than an episode, so it misses them there.
- *Correlated streams.* A held scene is one observation however long it is held: counting its
  frames is what gave 41 false alarms per 10⁴ frames (each image held 1–5 frames). Counting
  scenes keeps every correlated stream at ≤ 1 false alarm per 10⁴ frames but needs about as many
  scenes as the independent streams need frames. A scene lasts 1–30 frames (median 15.5), so bag
  (2–4 frames when independent) takes 30–49 frames on the distance; a median of 15 would need most
  episodes found on their first scene, and one scene of even the strongest shift (bag) is rarely
  enough evidence at this false-alarm rate. Ankle boot (13–16 frames when independent) needs about
  as many scenes as a 120-frame episode holds: with exact repeats most of its episodes are missed;
  with jitter it is found after 44–71 frames.
  The jitter itself does not fool the monitor: the scene tracker keeps 99 % of sensor readings of
  one image in one scene
  (\`npx tsx bench/drift-scene-change.ts\`).
- *Camera faults: the \`camera\` member.* The default set's \`image-statistics\` entry reads the
  raw frame once per scene (mean, spread, 5th and 95th percentile, edges, median Laplacian, grain =
  10th percentile of the Laplacian magnitude, sharpness = log of the Laplacian per gradient
  magnitude) and alarms when a statistic's robust z-score against the camera's own first 30 scenes
  exceeds its limit: 20 for the dark level, 12 for grain, 6 for a fall of sharpness, 40 for the
  rest. It finds brightness, contrast, blur and noise on the first scene of every family (median
  delay 0 on all 36 streams; before grain, sharpness and the dark limit, contrast took 0–29 frames,
  blur 3–51 and noise 8 frames to missed); no stream's false alarms rose, no other cell changed.
  The limits were chosen on these streams from single-image tails (stationary scenes reach grain z
  11 and a sharpness fall of 4) and checked with \`npx tsx bench/drift-image-statistics.ts --alone
  --only blur,noise,contrast,brightness,'no drift'\` (\`--dark\`, \`--grain\`, \`--sharpness\`,
  \`--warmup\`: a 12–18-scene warm-up adds false alarms). The first episode of a correlated stream
  starts inside the 30-scene warm-up; its drifted scenes join the reference, and on five of the
  twelve correlated blur and noise streams that episode is missed.
- *Is one scene enough evidence?* \`npx tsx bench/drift-scene-bound.ts\` (the distinct images of the
  independent recordings, three seeds, scored out of fold) answers per scenario. A *supervised*
  linear discriminant on the 256 transformed features, trained with the drift labels no device has,
  flags at a false-positive rate of 1 in 645 (the per-scene share of ≤ 1 false alarm per 10⁴ frames)
  86 % of single bag images, 65 % of ankle boots, 100 % of brightness and contrast shifts, 98 % of
  blurred and 94 % of noisy images. Three label-free scores, same images and rate: Mahalanobis
  distance to the nearest known class (one pooled covariance) flags 2.5 %, 1.5 %, 26–28 %, 10 % and
  0 %; the distance to the nearest known image (every known image of the other fold as reference,
  not the bundle's 200) 28.5 %, 5.0 %, 17–50 %, 25 % and 1 %; image statistics (the eight of the
  \`camera\` member; here one limit on the largest two-sided robust z-score) 0 %, 0 %, 100 %,
  4.2 % and 100 %. So a scene does carry the evidence; bag and ankle boot have no label-free
  single-image score here that sees more than a quarter of them, which holds their
  correlated-stream delays at 30–80 frames. Blur is there too, but one shared limit is set by the
  statistic with the heaviest tail; the member's limit per statistic (and a fall-only test of
  sharpness) is what finds it on the first scene.
  The image statistics have to be calibrated on the device's own frames (the jitter streams'
  sensor noise moves the noise, grain and dark-level statistics of every frame): the \`camera\`
  member above does that.
- *Ankle boot on independent frames* (13–16 frames over three seeds). Against all classes an
  ankle boot raises the mean neighbour distance by 0.26σ, below any usable slack; the KNN calls it
  a sneaker or a sandal, and against the sneakers' own scale (they sit 0.63 × the mean distance
  from their neighbours) it is +1.35σ, found in about 13 frames. Labels find it in 9 (\`hddm-a\`,
  \`hddm-w\` on the error stream).
- *page-hinkley at River's defaults* (δ 0.005, λ 50) assumes unit-scale input: on the distance
  (σ 2.73) δ is negligible and the statistic drifts up on stationary data; on the confidence
  (σ 0.18) λ = 50 is never reached. Scaled to the signal: \`page-hinkley (delta 2, threshold 22)\`
  on distance and \`page-hinkley (delta 0.13, threshold 1.4)\` on confidence.
- *knn-distance on the distance alone* (\`knn-distance (bundle reference)\` rows) has neither the
  per-class scale (no labels) nor scenes (no features): it is the monitor of issue 4 at λ 10σ. The
  \`λ 8σ: former default\` and \`δ 1σ, λ 25σ: old defaults\` rows show earlier settings.`;
