;; Trainscope's own wasm SIMD kernels. They run on tfjs-wasm's heap: the module imports that
;; backend's WebAssembly.Memory, so tensors are read and written in place by byte offset, with no copies.
;; Compiled to kernels.wasm by `npm run build:wasm`; a test checks the two agree.
(module
  (import "env" "memory" (memory 1))

  ;; One Adam step over n float32 elements, the same float32 operations in the same order as
  ;; tfjs' AdamOptimizer (so results are bit-identical to it):
  ;;   m' = m*b1 + g*omb1;  v' = v*b2 + (g*g)*omb2;
  ;;   y  = ((m'/c1) / (sqrt(v'/c2) + eps)) * nlr + x       (nlr = -learning rate)
  ;; m and v are updated in place; y may not alias x (tfjs-wasm caches packed weights per tensor).
  (func (export "adam")
    (param $x i32) (param $g i32) (param $m i32) (param $v i32) (param $y i32) (param $n i32)
    (param $b1 f32) (param $omb1 f32) (param $b2 f32) (param $omb2 f32)
    (param $c1 f32) (param $c2 f32) (param $eps f32) (param $nlr f32)
    (local $i i32) (local $end i32) (local $o i32)
    (local $vg v128) (local $vm v128) (local $vv v128)
    (local $sb1 v128) (local $somb1 v128) (local $sb2 v128) (local $somb2 v128)
    (local $sc1 v128) (local $sc2 v128) (local $seps v128) (local $snlr v128)
    (local $sg f32) (local $sm f32) (local $sv f32)
    (local.set $sb1 (f32x4.splat (local.get $b1)))
    (local.set $somb1 (f32x4.splat (local.get $omb1)))
    (local.set $sb2 (f32x4.splat (local.get $b2)))
    (local.set $somb2 (f32x4.splat (local.get $omb2)))
    (local.set $sc1 (f32x4.splat (local.get $c1)))
    (local.set $sc2 (f32x4.splat (local.get $c2)))
    (local.set $seps (f32x4.splat (local.get $eps)))
    (local.set $snlr (f32x4.splat (local.get $nlr)))
    ;; Four lanes at a time while at least four elements remain.
    (local.set $end (i32.and (local.get $n) (i32.const -4)))
    (block $done4
      (loop $next4
        (br_if $done4 (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $vg (v128.load (i32.add (local.get $g) (local.get $o))))
        (local.set $vm
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $o))) (local.get $sb1))
            (f32x4.mul (local.get $vg) (local.get $somb1))))
        (local.set $vv
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $o))) (local.get $sb2))
            (f32x4.mul (f32x4.mul (local.get $vg) (local.get $vg)) (local.get $somb2))))
        (v128.store (i32.add (local.get $m) (local.get $o)) (local.get $vm))
        (v128.store (i32.add (local.get $v) (local.get $o)) (local.get $vv))
        (v128.store (i32.add (local.get $y) (local.get $o))
          (f32x4.add
            (f32x4.mul
              (f32x4.div
                (f32x4.div (local.get $vm) (local.get $sc1))
                (f32x4.add (f32x4.sqrt (f32x4.div (local.get $vv) (local.get $sc2))) (local.get $seps)))
              (local.get $snlr))
            (v128.load (i32.add (local.get $x) (local.get $o)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $next4)))
    ;; The last n mod 4 elements, one at a time, same operations.
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $sg (f32.load (i32.add (local.get $g) (local.get $o))))
        (local.set $sm
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $m) (local.get $o))) (local.get $b1))
            (f32.mul (local.get $sg) (local.get $omb1))))
        (local.set $sv
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $v) (local.get $o))) (local.get $b2))
            (f32.mul (f32.mul (local.get $sg) (local.get $sg)) (local.get $omb2))))
        (f32.store (i32.add (local.get $m) (local.get $o)) (local.get $sm))
        (f32.store (i32.add (local.get $v) (local.get $o)) (local.get $sv))
        (f32.store (i32.add (local.get $y) (local.get $o))
          (f32.add
            (f32.mul
              (f32.div
                (f32.div (local.get $sm) (local.get $c1))
                (f32.add (f32.sqrt (f32.div (local.get $sv) (local.get $c2))) (local.get $eps)))
              (local.get $nlr))
            (f32.load (i32.add (local.get $x) (local.get $o)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))

  ;; The bucket of a float32 value $v whose bits are $bits (histogram's tables): the table's guess for its
  ;; bits, one up if that bucket's limit is <= $v. The histogram's hot loop has it written out.
  (func $bucket (param $bits i32) (param $v f64) (param $table i32) (param $limits i32) (param $shift i32) (result i32)
    (local $b i32)
    (local.set $b
      (i32.load16_s (i32.add (local.get $table) (i32.shl (i32.shr_u (local.get $bits) (local.get $shift)) (i32.const 1)))))
    (i32.add (local.get $b)
      (f64.le (f64.load (i32.add (local.get $limits) (i32.shl (local.get $b) (i32.const 3)))) (local.get $v))))

  ;; Histogram of n float32 values at $p in TF1's buckets, for shared/histogram.ts's summarizeHistogram:
  ;; the same numbers as its float32 path (sums in the same order, extremes as its compares keep them).
  ;; Non-finite values are skipped. $table: the Int16 bucket guess per value's bits >>> $shift
  ;; (KEY_SHIFT_32); $limits: the Float64 bucket limits; $counts: Int32 counts, all zero on entry and on
  ;; return. Writes at $out six f64: num, min, max, sum, sum of squares, and k; and k bucket limits at
  ;; $outLimits and k counts at $outCounts (f64: a HistogramProto's packed fields as they are): the buckets
  ;; from min's to max's, each run of empty ones collapsed into its last (as TF's EncodeToProto).
  (func (export "histogram")
    (param $p i32) (param $n i32) (param $table i32) (param $limits i32) (param $counts i32) (param $out i32)
    (param $outLimits i32) (param $outCounts i32) (param $shift i32)
    (local $i i32) (local $bits i32) (local $b i32) (local $c i32) (local $num i32) (local $hi i32) (local $k i32)
    (local $stop i32) (local $q i32) (local $zero i32) (local $n4 i32) (local $j i32)
    (local $v f64) (local $min f64) (local $max f64) (local $sum f64) (local $sq f64)
    (local $x v128) (local $fin v128) (local $vmin v128) (local $vmax v128)
    (local.set $vmin (f32x4.splat (f32.const inf)))
    (local.set $vmax (f32x4.splat (f32.const -inf)))
    ;; +0.0's bucket, for blocks of zeros
    (local.set $zero (i32.load16_s (local.get $table)))
    (local.set $zero (i32.add (local.get $zero) (f64.le (f64.load (i32.add (local.get $limits) (i32.shl (local.get $zero) (i32.const 3)))) (f64.const 0))))
    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n4)))
        (local.set $stop (select (i32.add (local.get $i) (i32.const 32)) (local.get $n4) (i32.le_u (i32.add (local.get $i) (i32.const 32)) (local.get $n4))))
        (local.set $q (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2))))
        ;; A whole block of 32 values whose bits are all 0 (+0.0) is counted at once, with the same effect
        ;; in the same place as one at a time. Gradients of a layer fed MNIST's blank pixels are whole
        ;; rows of zeros (~40% of W1's first-layer gradient); other data pays one vector test per block.
        (if (i32.eq (i32.sub (local.get $stop) (local.get $i)) (i32.const 32))
          (then
            (if (i32.eqz (v128.any_true
                  (v128.or
                    (v128.or (v128.or (v128.load (local.get $q)) (v128.load offset=16 (local.get $q)))
                             (v128.or (v128.load offset=32 (local.get $q)) (v128.load offset=48 (local.get $q))))
                    (v128.or (v128.or (v128.load offset=64 (local.get $q)) (v128.load offset=80 (local.get $q)))
                             (v128.or (v128.load offset=96 (local.get $q)) (v128.load offset=112 (local.get $q)))))))
              (then
                (local.set $vmin (f32x4.pmin (local.get $vmin) (v128.const i32x4 0 0 0 0)))
                (local.set $vmax (f32x4.pmax (local.get $vmax) (v128.const i32x4 0 0 0 0)))
                (local.set $num (i32.add (local.get $num) (i32.const 32)))
                ;; adding +0 again and again changes a sum once at most (-0 to +0): once is the same
                (local.set $sum (f64.add (local.get $sum) (f64.const 0)))
                (local.set $sq (f64.add (local.get $sq) (f64.const 0)))
                (local.set $c (i32.add (local.get $counts) (i32.shl (local.get $zero) (i32.const 2))))
                (i32.store (local.get $c) (i32.add (i32.load (local.get $c)) (i32.const 32)))
                (local.set $i (local.get $stop))
                (br $next)))))
        ;; Groups of four: the extremes lane by lane (pmin/pmax keep what `v < min` / `v > max` keep;
        ;; NaN and infinities enter as the identity), which spares two branches per value.
        (loop $group
          (local.set $x (v128.load (local.get $q)))
          (local.set $fin (i32x4.ne (v128.and (local.get $x) (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))
                                    (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000)))
          (local.set $vmin (f32x4.pmin (local.get $vmin) (v128.bitselect (local.get $x) (v128.const f32x4 inf inf inf inf) (local.get $fin))))
          (local.set $vmax (f32x4.pmax (local.get $vmax) (v128.bitselect (local.get $x) (v128.const f32x4 -inf -inf -inf -inf) (local.get $fin))))
          ;; Sums and buckets one value at a time, in order (the sums must come out as the JS loop's);
          ;; written out four times for groups with no NaN or infinity, which is nearly all.
          (if (i32x4.all_true (local.get $fin))
            (then
              (local.set $num (i32.add (local.get $num) (i32.const 4)))
              (local.set $bits (i32.load offset=0 (local.get $q)))
              (local.set $v (f64.promote_f32 (f32.reinterpret_i32 (local.get $bits))))
              (local.set $sum (f64.add (local.get $sum) (local.get $v)))
              (local.set $sq (f64.add (local.get $sq) (f64.mul (local.get $v) (local.get $v))))
              (local.set $b
                (i32.load16_s (i32.add (local.get $table) (i32.shl (i32.shr_u (local.get $bits) (local.get $shift)) (i32.const 1)))))
              (local.set $b
                (i32.add (local.get $b)
                  (f64.le (f64.load (i32.add (local.get $limits) (i32.shl (local.get $b) (i32.const 3)))) (local.get $v))))
              (local.set $c (i32.add (local.get $counts) (i32.shl (local.get $b) (i32.const 2))))
              (i32.store (local.get $c) (i32.add (i32.load (local.get $c)) (i32.const 1)))
              (local.set $bits (i32.load offset=4 (local.get $q)))
              (local.set $v (f64.promote_f32 (f32.reinterpret_i32 (local.get $bits))))
              (local.set $sum (f64.add (local.get $sum) (local.get $v)))
              (local.set $sq (f64.add (local.get $sq) (f64.mul (local.get $v) (local.get $v))))
              (local.set $b
                (i32.load16_s (i32.add (local.get $table) (i32.shl (i32.shr_u (local.get $bits) (local.get $shift)) (i32.const 1)))))
              (local.set $b
                (i32.add (local.get $b)
                  (f64.le (f64.load (i32.add (local.get $limits) (i32.shl (local.get $b) (i32.const 3)))) (local.get $v))))
              (local.set $c (i32.add (local.get $counts) (i32.shl (local.get $b) (i32.const 2))))
              (i32.store (local.get $c) (i32.add (i32.load (local.get $c)) (i32.const 1)))
              (local.set $bits (i32.load offset=8 (local.get $q)))
              (local.set $v (f64.promote_f32 (f32.reinterpret_i32 (local.get $bits))))
              (local.set $sum (f64.add (local.get $sum) (local.get $v)))
              (local.set $sq (f64.add (local.get $sq) (f64.mul (local.get $v) (local.get $v))))
              (local.set $b
                (i32.load16_s (i32.add (local.get $table) (i32.shl (i32.shr_u (local.get $bits) (local.get $shift)) (i32.const 1)))))
              (local.set $b
                (i32.add (local.get $b)
                  (f64.le (f64.load (i32.add (local.get $limits) (i32.shl (local.get $b) (i32.const 3)))) (local.get $v))))
              (local.set $c (i32.add (local.get $counts) (i32.shl (local.get $b) (i32.const 2))))
              (i32.store (local.get $c) (i32.add (i32.load (local.get $c)) (i32.const 1)))
              (local.set $bits (i32.load offset=12 (local.get $q)))
              (local.set $v (f64.promote_f32 (f32.reinterpret_i32 (local.get $bits))))
              (local.set $sum (f64.add (local.get $sum) (local.get $v)))
              (local.set $sq (f64.add (local.get $sq) (f64.mul (local.get $v) (local.get $v))))
              (local.set $b
                (i32.load16_s (i32.add (local.get $table) (i32.shl (i32.shr_u (local.get $bits) (local.get $shift)) (i32.const 1)))))
              (local.set $b
                (i32.add (local.get $b)
                  (f64.le (f64.load (i32.add (local.get $limits) (i32.shl (local.get $b) (i32.const 3)))) (local.get $v))))
              (local.set $c (i32.add (local.get $counts) (i32.shl (local.get $b) (i32.const 2))))
              (i32.store (local.get $c) (i32.add (i32.load (local.get $c)) (i32.const 1)))
            )
            (else
              (local.set $j (i32.const 0))
              (loop $value
                (if (i32.ne (i32.and (i32.load (i32.add (local.get $q) (local.get $j))) (i32.const 0x7f800000)) (i32.const 0x7f800000))
                  (then
                    (local.set $bits (i32.load (i32.add (local.get $q) (local.get $j))))
                    (local.set $num (i32.add (local.get $num) (i32.const 1)))
                    (local.set $v (f64.promote_f32 (f32.reinterpret_i32 (local.get $bits))))
                    (local.set $sum (f64.add (local.get $sum) (local.get $v)))
                    (local.set $sq (f64.add (local.get $sq) (f64.mul (local.get $v) (local.get $v))))
                    (local.set $b (call $bucket (local.get $bits) (local.get $v) (local.get $table) (local.get $limits) (local.get $shift)))
                    (local.set $c (i32.add (local.get $counts) (i32.shl (local.get $b) (i32.const 2))))
                    (i32.store (local.get $c) (i32.add (i32.load (local.get $c)) (i32.const 1)))))
                (local.set $j (i32.add (local.get $j) (i32.const 4)))
                (br_if $value (i32.lt_u (local.get $j) (i32.const 16))))))
          (local.set $q (i32.add (local.get $q) (i32.const 16)))
          (local.set $i (i32.add (local.get $i) (i32.const 4)))
          (br_if $group (i32.lt_u (local.get $i) (local.get $stop))))
        (br $next)))
    ;; The lanes' extremes. Lane by lane pmin/pmax keep what one-at-a-time compares keep; across lanes
    ;; only a zero's sign can differ: an extreme that is zero is the first zero in order (no value beyond
    ;; it on that side), found by a scan.
    (local.set $min (f64.promote_f32 (f32x4.extract_lane 0 (local.get $vmin))))
    (local.set $max (f64.promote_f32 (f32x4.extract_lane 0 (local.get $vmax))))
    (local.set $v (f64.promote_f32 (f32x4.extract_lane 1 (local.get $vmin)))) (if (f64.lt (local.get $v) (local.get $min)) (then (local.set $min (local.get $v))))
    (local.set $v (f64.promote_f32 (f32x4.extract_lane 2 (local.get $vmin)))) (if (f64.lt (local.get $v) (local.get $min)) (then (local.set $min (local.get $v))))
    (local.set $v (f64.promote_f32 (f32x4.extract_lane 3 (local.get $vmin)))) (if (f64.lt (local.get $v) (local.get $min)) (then (local.set $min (local.get $v))))
    (local.set $v (f64.promote_f32 (f32x4.extract_lane 1 (local.get $vmax)))) (if (f64.gt (local.get $v) (local.get $max)) (then (local.set $max (local.get $v))))
    (local.set $v (f64.promote_f32 (f32x4.extract_lane 2 (local.get $vmax)))) (if (f64.gt (local.get $v) (local.get $max)) (then (local.set $max (local.get $v))))
    (local.set $v (f64.promote_f32 (f32x4.extract_lane 3 (local.get $vmax)))) (if (f64.gt (local.get $v) (local.get $max)) (then (local.set $max (local.get $v))))
    (if (i32.or (f64.eq (local.get $min) (f64.const 0)) (f64.eq (local.get $max) (f64.const 0)))
      (then
        (local.set $q (local.get $p))
        (block $found
          (loop $scan
            (br_if $found (i32.eqz (i32.and (i32.load (local.get $q)) (i32.const 0x7fffffff))))
            (local.set $q (i32.add (local.get $q) (i32.const 4)))
            (br $scan)))
        (local.set $v (f64.promote_f32 (f32.load (local.get $q))))
        (if (f64.eq (local.get $min) (f64.const 0)) (then (local.set $min (local.get $v))))
        (if (f64.eq (local.get $max) (f64.const 0)) (then (local.set $max (local.get $v))))))
    ;; the last n % 4 values one at a time
    (local.set $i (local.get $n4))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $bits (i32.load (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))))
        (if (i32.ne (i32.and (local.get $bits) (i32.const 0x7f800000)) (i32.const 0x7f800000))
          (then
            (local.set $v (f64.promote_f32 (f32.reinterpret_i32 (local.get $bits))))
            (if (f64.lt (local.get $v) (local.get $min)) (then (local.set $min (local.get $v))))
            (if (f64.gt (local.get $v) (local.get $max)) (then (local.set $max (local.get $v))))
            (local.set $num (i32.add (local.get $num) (i32.const 1)))
            (local.set $sum (f64.add (local.get $sum) (local.get $v)))
            (local.set $sq (f64.add (local.get $sq) (f64.mul (local.get $v) (local.get $v))))
            (local.set $b (call $bucket (local.get $bits) (local.get $v) (local.get $table) (local.get $limits) (local.get $shift)))
            (local.set $c (i32.add (local.get $counts) (i32.shl (local.get $b) (i32.const 2))))
            (i32.store (local.get $c) (i32.add (i32.load (local.get $c)) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail)))
    ;; The occupied buckets, from min's to max's (the index is monotone in the value; min and max are
    ;; float32 values, so their bits index the table as above), read out and cleared.
    (if (local.get $num)
      (then
        (local.set $b (call $bucket (i32.reinterpret_f32 (f32.demote_f64 (local.get $min))) (local.get $min)
          (local.get $table) (local.get $limits) (local.get $shift)))
        (local.set $hi (call $bucket (i32.reinterpret_f32 (f32.demote_f64 (local.get $max))) (local.get $max)
          (local.get $table) (local.get $limits) (local.get $shift)))
        (block $spanDone
          (loop $span
            (br_if $spanDone (i32.gt_s (local.get $b) (local.get $hi)))
            (local.set $c (i32.load (i32.add (local.get $counts) (i32.shl (local.get $b) (i32.const 2)))))
            (if (i32.eqz (local.get $c))
              (then
                ;; an empty run ends where the next bucket is non-empty (max's bucket is, so it ends by $hi)
                (block $runDone
                  (loop $run
                    (br_if $runDone (i32.load offset=4 (i32.add (local.get $counts) (i32.shl (local.get $b) (i32.const 2)))))
                    (local.set $b (i32.add (local.get $b) (i32.const 1)))
                    (br $run))))
              (else (i32.store (i32.add (local.get $counts) (i32.shl (local.get $b) (i32.const 2))) (i32.const 0))))
            (f64.store (i32.add (local.get $outLimits) (i32.shl (local.get $k) (i32.const 3)))
              (f64.load (i32.add (local.get $limits) (i32.shl (local.get $b) (i32.const 3)))))
            (f64.store (i32.add (local.get $outCounts) (i32.shl (local.get $k) (i32.const 3))) (f64.convert_i32_u (local.get $c)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $span)))))
    (f64.store (local.get $out) (f64.convert_i32_u (local.get $num)))
    (f64.store offset=8 (local.get $out) (local.get $min))
    (f64.store offset=16 (local.get $out) (local.get $max))
    (f64.store offset=24 (local.get $out) (local.get $sum))
    (f64.store offset=32 (local.get $out) (local.get $sq))
    (f64.store offset=40 (local.get $out) (f64.convert_i32_u (local.get $k))))

  ;; Dead units and saturated values of activations [rows, units] at $p (summaries.ts' deadFraction and
  ;; saturationFraction counts): writes at $out the Int32 number of units that are exactly 0 (either sign)
  ;; on every row, and the number of values <= $below or >= $above (NaN limits: none). Four units at a time
  ;; down the rows, the last units % 4 one at a time.
  (func (export "act_stats")
    (param $p i32) (param $rows i32) (param $units i32) (param $below f32) (param $above f32) (param $out i32)
    (local $u i32) (local $r i32) (local $q i32) (local $stride i32) (local $dead i32) (local $satN i32)
    (local $v v128) (local $any v128) (local $sat v128) (local $lo v128) (local $hi v128) (local $x f32) (local $nz i32)
    (local.set $stride (i32.shl (local.get $units) (i32.const 2)))
    (local.set $lo (f32x4.splat (local.get $below)))
    (local.set $hi (f32x4.splat (local.get $above)))
    (block $quadsDone
      (loop $quad
        (br_if $quadsDone (i32.gt_u (i32.add (local.get $u) (i32.const 4)) (local.get $units)))
        (local.set $any (v128.const i32x4 0 0 0 0))
        (local.set $q (i32.add (local.get $p) (i32.shl (local.get $u) (i32.const 2))))
        (local.set $r (i32.const 0))
        (block $rowsDone
          (loop $row
            (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
            (local.set $v (v128.load (local.get $q)))
            (local.set $any (v128.or (local.get $any) (f32x4.ne (local.get $v) (v128.const f32x4 0 0 0 0))))
            ;; a true lane is -1: subtracting counts it
            (local.set $sat (i32x4.sub (local.get $sat)
              (v128.or (f32x4.le (local.get $v) (local.get $lo)) (f32x4.ge (local.get $v) (local.get $hi)))))
            (local.set $q (i32.add (local.get $q) (local.get $stride)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $row)))
        ;; lanes still 0 are dead units
        (local.set $dead (i32.add (local.get $dead)
          (i32.sub (i32.const 4) (i32.popcnt (i32x4.bitmask (local.get $any))))))
        (local.set $u (i32.add (local.get $u) (i32.const 4)))
        (br $quad)))
    (block $unitsDone
      (loop $unit
        (br_if $unitsDone (i32.ge_u (local.get $u) (local.get $units)))
        (local.set $nz (i32.const 0))
        (local.set $q (i32.add (local.get $p) (i32.shl (local.get $u) (i32.const 2))))
        (local.set $r (i32.const 0))
        (block $rowsDone1
          (loop $row1
            (br_if $rowsDone1 (i32.ge_u (local.get $r) (local.get $rows)))
            (local.set $x (f32.load (local.get $q)))
            (local.set $nz (i32.or (local.get $nz) (f32.ne (local.get $x) (f32.const 0))))
            (local.set $satN (i32.add (local.get $satN)
              (i32.or (f32.le (local.get $x) (local.get $below)) (f32.ge (local.get $x) (local.get $above)))))
            (local.set $q (i32.add (local.get $q) (local.get $stride)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $row1)))
        (local.set $dead (i32.add (local.get $dead) (i32.eqz (local.get $nz))))
        (local.set $u (i32.add (local.get $u) (i32.const 1)))
        (br $unit)))
    (i32.store (local.get $out) (local.get $dead))
    (i32.store offset=4 (local.get $out)
      (i32.add (local.get $satN)
        (i32.add
          (i32.add (i32x4.extract_lane 0 (local.get $sat)) (i32x4.extract_lane 1 (local.get $sat)))
          (i32.add (i32x4.extract_lane 2 (local.get $sat)) (i32x4.extract_lane 3 (local.get $sat)))))))

  ;; ---- The forward pass of a plain MLP for summaries (host-forward.ts): the probe batch's activations and
  ;; the decision boundary's grid, without tfjs' per-op cost. Float32 throughout; results agree with tfjs'
  ;; ops to float rounding (sums in another order, exp by a polynomial), which summaries cannot show.

  ;; Compressed rows of a dense row-major [rows, cols] matrix: for each row the column and value of every
  ;; non-zero entry (rowPtr[r]..rowPtr[r+1] index colIdx/vals). Branch-free: every entry is written, and the
  ;; count advances only past a non-zero one.
  (func (export "to_csr")
    (param $x i32) (param $rows i32) (param $cols i32) (param $rowPtr i32) (param $colIdx i32) (param $vals i32)
    (local $r i32) (local $c i32) (local $n i32) (local $v f32)
    (i32.store (local.get $rowPtr) (i32.const 0))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c (i32.const 0))
        (block $colsDone
          (loop $col
            (br_if $colsDone (i32.ge_u (local.get $c) (local.get $cols)))
            (local.set $v (f32.load (local.get $x)))
            (i32.store (i32.add (local.get $colIdx) (i32.shl (local.get $n) (i32.const 2))) (local.get $c))
            (f32.store (i32.add (local.get $vals) (i32.shl (local.get $n) (i32.const 2))) (local.get $v))
            (local.set $n (i32.add (local.get $n) (f32.ne (local.get $v) (f32.const 0))))
            (local.set $x (i32.add (local.get $x) (i32.const 4)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $col)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (i32.store (i32.add (local.get $rowPtr) (i32.shl (local.get $r) (i32.const 2))) (local.get $n))
        (br $row))))

  ;; y[r, o] = b[o] + sum over row r's non-zeros (k, v) of v * w[k, o]: a dense layer on compressed rows
  ;; (to_csr), w row-major [in, out]. Sixteen outputs at a time in four vector accumulators, then four,
  ;; then two, then one.
  (func (export "dense_csr")
    (param $rowPtr i32) (param $colIdx i32) (param $vals i32) (param $rows i32)
    (param $w i32) (param $b i32) (param $out i32) (param $y i32)
    (local $r i32) (local $j i32) (local $j0 i32) (local $j1 i32) (local $o i32) (local $wp i32) (local $yp i32)
    (local $stride i32) (local $s v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $sa f32)
    (local.set $stride (i32.shl (local.get $out) (i32.const 2)))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $j0 (i32.load (i32.add (local.get $rowPtr) (i32.shl (local.get $r) (i32.const 2)))))
        (local.set $j1 (i32.load offset=4 (i32.add (local.get $rowPtr) (i32.shl (local.get $r) (i32.const 2)))))
        (local.set $yp (i32.add (local.get $y) (i32.mul (local.get $r) (local.get $stride))))
        (local.set $o (i32.const 0))
        (block $done16
          (loop $next16
            (br_if $done16 (i32.gt_u (i32.add (local.get $o) (i32.const 16)) (local.get $out)))
            (local.set $wp (i32.add (local.get $b) (i32.shl (local.get $o) (i32.const 2))))
            (local.set $a0 (v128.load (local.get $wp)))
            (local.set $a1 (v128.load offset=16 (local.get $wp)))
            (local.set $a2 (v128.load offset=32 (local.get $wp)))
            (local.set $a3 (v128.load offset=48 (local.get $wp)))
            (local.set $j (local.get $j0))
            (block $nzDone
              (loop $nz
                (br_if $nzDone (i32.ge_u (local.get $j) (local.get $j1)))
                (local.set $s (v128.load32_splat (i32.add (local.get $vals) (i32.shl (local.get $j) (i32.const 2)))))
                (local.set $wp
                  (i32.add (local.get $w)
                    (i32.add
                      (i32.mul (i32.load (i32.add (local.get $colIdx) (i32.shl (local.get $j) (i32.const 2)))) (local.get $stride))
                      (i32.shl (local.get $o) (i32.const 2)))))
                (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $s) (v128.load (local.get $wp)))))
                (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $s) (v128.load offset=16 (local.get $wp)))))
                (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $s) (v128.load offset=32 (local.get $wp)))))
                (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $s) (v128.load offset=48 (local.get $wp)))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $nz)))
            (local.set $wp (i32.add (local.get $yp) (i32.shl (local.get $o) (i32.const 2))))
            (v128.store (local.get $wp) (local.get $a0))
            (v128.store offset=16 (local.get $wp) (local.get $a1))
            (v128.store offset=32 (local.get $wp) (local.get $a2))
            (v128.store offset=48 (local.get $wp) (local.get $a3))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (br $next16)))
        (block $done4
          (loop $next4
            (br_if $done4 (i32.gt_u (i32.add (local.get $o) (i32.const 4)) (local.get $out)))
            (local.set $a0 (v128.load (i32.add (local.get $b) (i32.shl (local.get $o) (i32.const 2)))))
            (local.set $j (local.get $j0))
            (block $nzDone
              (loop $nz
                (br_if $nzDone (i32.ge_u (local.get $j) (local.get $j1)))
                (local.set $wp
                  (i32.add (local.get $w)
                    (i32.add
                      (i32.mul (i32.load (i32.add (local.get $colIdx) (i32.shl (local.get $j) (i32.const 2)))) (local.get $stride))
                      (i32.shl (local.get $o) (i32.const 2)))))
                (local.set $a0
                  (f32x4.add (local.get $a0)
                    (f32x4.mul
                      (v128.load32_splat (i32.add (local.get $vals) (i32.shl (local.get $j) (i32.const 2))))
                      (v128.load (local.get $wp)))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $nz)))
            (v128.store (i32.add (local.get $yp) (i32.shl (local.get $o) (i32.const 2))) (local.get $a0))
            (local.set $o (i32.add (local.get $o) (i32.const 4)))
            (br $next4)))
        ;; two outputs (a two-class layer, or what four left): the low half of a vector, two chains of
        ;; non-zeros summed at the end (one chain would wait on each add)
        (if (i32.le_u (i32.add (local.get $o) (i32.const 2)) (local.get $out))
          (then
            (local.set $a0 (v128.load64_zero (i32.add (local.get $b) (i32.shl (local.get $o) (i32.const 2)))))
            (local.set $a1 (v128.const i32x4 0 0 0 0))
            (local.set $j (local.get $j0))
            (block $pairsDone
              (loop $pair
                (br_if $pairsDone (i32.ge_u (i32.add (local.get $j) (i32.const 1)) (local.get $j1)))
                (local.set $a0
                  (f32x4.add (local.get $a0)
                    (f32x4.mul
                      (v128.load32_splat (i32.add (local.get $vals) (i32.shl (local.get $j) (i32.const 2))))
                      (v128.load64_zero
                        (i32.add (local.get $w)
                          (i32.add
                            (i32.mul (i32.load (i32.add (local.get $colIdx) (i32.shl (local.get $j) (i32.const 2)))) (local.get $stride))
                            (i32.shl (local.get $o) (i32.const 2))))))))
                (local.set $a1
                  (f32x4.add (local.get $a1)
                    (f32x4.mul
                      (v128.load32_splat offset=4 (i32.add (local.get $vals) (i32.shl (local.get $j) (i32.const 2))))
                      (v128.load64_zero
                        (i32.add (local.get $w)
                          (i32.add
                            (i32.mul (i32.load offset=4 (i32.add (local.get $colIdx) (i32.shl (local.get $j) (i32.const 2)))) (local.get $stride))
                            (i32.shl (local.get $o) (i32.const 2))))))))
                (local.set $j (i32.add (local.get $j) (i32.const 2)))
                (br $pair)))
            (if (i32.lt_u (local.get $j) (local.get $j1))
              (then
                (local.set $a0
                  (f32x4.add (local.get $a0)
                    (f32x4.mul
                      (v128.load32_splat (i32.add (local.get $vals) (i32.shl (local.get $j) (i32.const 2))))
                      (v128.load64_zero
                        (i32.add (local.get $w)
                          (i32.add
                            (i32.mul (i32.load (i32.add (local.get $colIdx) (i32.shl (local.get $j) (i32.const 2)))) (local.get $stride))
                            (i32.shl (local.get $o) (i32.const 2))))))))))
            (v128.store64_lane 0 (i32.add (local.get $yp) (i32.shl (local.get $o) (i32.const 2))) (f32x4.add (local.get $a0) (local.get $a1)))
            (local.set $o (i32.add (local.get $o) (i32.const 2)))))
        (block $done1
          (loop $next1
            (br_if $done1 (i32.ge_u (local.get $o) (local.get $out)))
            (local.set $sa (f32.load (i32.add (local.get $b) (i32.shl (local.get $o) (i32.const 2)))))
            (local.set $j (local.get $j0))
            (block $nzDone
              (loop $nz
                (br_if $nzDone (i32.ge_u (local.get $j) (local.get $j1)))
                (local.set $sa
                  (f32.add (local.get $sa)
                    (f32.mul
                      (f32.load (i32.add (local.get $vals) (i32.shl (local.get $j) (i32.const 2))))
                      (f32.load
                        (i32.add (local.get $w)
                          (i32.add
                            (i32.mul (i32.load (i32.add (local.get $colIdx) (i32.shl (local.get $j) (i32.const 2)))) (local.get $stride))
                            (i32.shl (local.get $o) (i32.const 2))))))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $nz)))
            (f32.store (i32.add (local.get $yp) (i32.shl (local.get $o) (i32.const 2))) (local.get $sa))
            (local.set $o (i32.add (local.get $o) (i32.const 1)))
            (br $next1)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; e^x, four lanes: Cody-Waite reduction x = n ln2 + r with |r| <= ln2/2, Cephes' expf polynomial for e^r,
  ;; times 2^n built in the exponent bits. x is clamped to [-87.33, 88.37] (2^n stays a normal float).
  (func $exp4 (param $x v128) (result v128)
    (local $n v128) (local $r v128) (local $p v128)
    (local.set $x (f32x4.pmin (f32x4.pmax (local.get $x) (f32x4.splat (f32.const -87.33))) (f32x4.splat (f32.const 88.37))))
    (local.set $n (f32x4.nearest (f32x4.mul (local.get $x) (f32x4.splat (f32.const 1.44269504088896341)))))
    (local.set $r
      (f32x4.sub
        (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (f32x4.splat (f32.const 0.693359375))))
        (f32x4.mul (local.get $n) (f32x4.splat (f32.const -2.12194440e-4)))))
    (local.set $p (f32x4.splat (f32.const 1.9875691500e-4)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1.3981999507e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 8.3334519073e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 4.1665795894e-2))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1.6666665459e-1))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 5.0000001201e-1))))
    (local.set $p
      (f32x4.add
        (f32x4.add (f32x4.mul (local.get $p) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r))
        (f32x4.splat (f32.const 1))))
    (f32x4.mul (local.get $p)
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n)) (i32x4.splat (i32.const 127))) (i32.const 23))))

  ;; tanh on four lanes: a rational minimax approximation, odd degree 13 over even degree 6, on x clamped
  ;; to +-7.9053 (beyond which tanh rounds to +-1 in float32); coefficients as in Eigen's float tanh. One
  ;; division and no exp: about 2.5x the exp-based form's speed, within 3 ulp. Below 4e-4 tanh(x) is x in
  ;; float32, kept exactly (the product would lose subnormals' precision).
  (func $tanh4 (param $x v128) (result v128)
    (local $ax v128) (local $x2 v128) (local $big v128) (local $small v128)
    (local.set $ax (local.get $x))
    (local.set $x (f32x4.pmin (f32x4.pmax (local.get $x) (f32x4.splat (f32.const -7.90531110763549805))) (f32x4.splat (f32.const 7.90531110763549805))))
    (local.set $x2 (f32x4.mul (local.get $x) (local.get $x)))
    (local.set $big (f32x4.splat (f32.const -2.76076847742355e-16)))
    (local.set $big (f32x4.add (f32x4.mul (local.get $big) (local.get $x2)) (f32x4.splat (f32.const 2.00018790482477e-13))))
    (local.set $big (f32x4.add (f32x4.mul (local.get $big) (local.get $x2)) (f32x4.splat (f32.const -8.60467152213735e-11))))
    (local.set $big (f32x4.add (f32x4.mul (local.get $big) (local.get $x2)) (f32x4.splat (f32.const 5.12229709037114e-08))))
    (local.set $big (f32x4.add (f32x4.mul (local.get $big) (local.get $x2)) (f32x4.splat (f32.const 1.48572235717979e-05))))
    (local.set $big (f32x4.add (f32x4.mul (local.get $big) (local.get $x2)) (f32x4.splat (f32.const 6.37261928875436e-04))))
    (local.set $big (f32x4.add (f32x4.mul (local.get $big) (local.get $x2)) (f32x4.splat (f32.const 4.89352455891786e-03))))
    (local.set $small (f32x4.splat (f32.const 1.19825839466702e-06)))
    (local.set $small (f32x4.add (f32x4.mul (local.get $small) (local.get $x2)) (f32x4.splat (f32.const 1.18534705686654e-04))))
    (local.set $small (f32x4.add (f32x4.mul (local.get $small) (local.get $x2)) (f32x4.splat (f32.const 2.26843463243900e-03))))
    (local.set $small (f32x4.add (f32x4.mul (local.get $small) (local.get $x2)) (f32x4.splat (f32.const 4.89352518554385e-03))))
    (v128.bitselect (local.get $ax) (f32x4.div (f32x4.mul (local.get $x) (local.get $big)) (local.get $small))
      (f32x4.lt (f32x4.abs (local.get $ax)) (f32x4.splat (f32.const 0.0004)))))

  ;; The activation `code` (host-forward.ts' ACTIVATION_CODES) on four lanes, with tfjs' definitions.
  (func $act4 (param $x v128) (param $code i32) (param $alpha f32) (result v128)
    (if (i32.eq (local.get $code) (i32.const 1)) ;; relu
      (then (return (f32x4.pmax (local.get $x) (v128.const f32x4 0 0 0 0)))))
    (if (i32.eq (local.get $code) (i32.const 2)) ;; leaky_relu
      (then (return
        (v128.bitselect (local.get $x) (f32x4.mul (local.get $x) (f32x4.splat (local.get $alpha)))
          (f32x4.gt (local.get $x) (v128.const f32x4 0 0 0 0))))))
    (if (i32.eq (local.get $code) (i32.const 3)) ;; sigmoid
      (then (return
        (f32x4.div (f32x4.splat (f32.const 1)) (f32x4.add (f32x4.splat (f32.const 1)) (call $exp4 (f32x4.neg (local.get $x))))))))
    (if (i32.eq (local.get $code) (i32.const 4)) ;; tanh
      (then (return (call $tanh4 (local.get $x)))))
    (if (i32.eq (local.get $code) (i32.const 5)) ;; elu
      (then (return
        (v128.bitselect (local.get $x) (f32x4.sub (call $exp4 (local.get $x)) (f32x4.splat (f32.const 1)))
          (f32x4.gt (local.get $x) (v128.const f32x4 0 0 0 0))))))
    (if (i32.eq (local.get $code) (i32.const 6)) ;; selu
      (then (return
        (v128.bitselect
          (f32x4.mul (local.get $x) (f32x4.splat (f32.const 1.0507009873554805)))
          (f32x4.mul (f32x4.sub (call $exp4 (local.get $x)) (f32x4.splat (f32.const 1))) (f32x4.splat (f32.const 1.7580993408473769)))
          (f32x4.gt (local.get $x) (v128.const f32x4 0 0 0 0))))))
    (if (i32.eq (local.get $code) (i32.const 7)) ;; swish: x * sigmoid(x)
      (then (return
        (f32x4.mul (local.get $x)
          (f32x4.div (f32x4.splat (f32.const 1)) (f32x4.add (f32x4.splat (f32.const 1)) (call $exp4 (f32x4.neg (local.get $x)))))))))
    (if (i32.eq (local.get $code) (i32.const 8)) ;; softsign
      (then (return
        (f32x4.div (local.get $x) (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.abs (local.get $x)))))))
    (local.get $x)) ;; linear

  ;; The activation in place over n floats at $p, four at a time: the buffer must have room for n rounded up to 4.
  (func (export "activate") (param $p i32) (param $n i32) (param $code i32) (param $alpha f32)
    (local $end i32)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (v128.store (local.get $p) (call $act4 (v128.load (local.get $p)) (local.get $code) (local.get $alpha)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $next))))

  ;; Softmax of each row of [rows, cols] at $p, in place: e^(z - row max) / its row sum. Same room rule as activate.
  (func (export "softmax") (param $p i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $c i32) (local $row i32) (local $m f32) (local $sum f32) (local $end i32)
    (local.set $row (local.get $p))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $m (f32.const -inf))
        (local.set $c (i32.const 0))
        (block $maxDone
          (loop $max
            (br_if $maxDone (i32.ge_u (local.get $c) (local.get $cols)))
            (local.set $m (f32.max (local.get $m) (f32.load (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2))))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $max)))
        (local.set $c (i32.const 0))
        (block $subDone
          (loop $sub
            (br_if $subDone (i32.ge_u (local.get $c) (local.get $cols)))
            (f32.store (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2)))
              (f32.sub (f32.load (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2)))) (local.get $m)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $sub)))
        (local.set $row (i32.add (local.get $row) (i32.shl (local.get $cols) (i32.const 2))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $next)))
    ;; e^ over the whole matrix, four at a time
    (local.set $end (local.get $row))
    (local.set $row (local.get $p))
    (block $expDone
      (loop $exp
        (br_if $expDone (i32.ge_u (local.get $row) (local.get $end)))
        (v128.store (local.get $row) (call $exp4 (v128.load (local.get $row))))
        (local.set $row (i32.add (local.get $row) (i32.const 16)))
        (br $exp)))
    (local.set $row (local.get $p))
    (local.set $r (i32.const 0))
    (block $done2
      (loop $next2
        (br_if $done2 (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $sum (f32.const 0))
        (local.set $c (i32.const 0))
        (block $sumDone
          (loop $s
            (br_if $sumDone (i32.ge_u (local.get $c) (local.get $cols)))
            (local.set $sum (f32.add (local.get $sum) (f32.load (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2))))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $s)))
        (local.set $c (i32.const 0))
        (block $divDone
          (loop $div
            (br_if $divDone (i32.ge_u (local.get $c) (local.get $cols)))
            (f32.store (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2)))
              (f32.div (f32.load (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2)))) (local.get $sum)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $div)))
        (local.set $row (i32.add (local.get $row) (i32.shl (local.get $cols) (i32.const 2))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $next2)))))
