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

  ;; Histogram of n float32 values at $p in TF1's buckets, for shared/histogram.ts's summarizeHistogram:
  ;; the same work in the same order as its float32 path (so the same numbers). Non-finite values are
  ;; skipped. $table: the Int16 bucket guess per top 16 bits of a value; $limits: the Float64 bucket
  ;; limits; $counts: Int32 counts, incremented; $out: five f64 written: num, min, max, sum, sum of squares.
  (func (export "histogram")
    (param $p i32) (param $n i32) (param $table i32) (param $limits i32) (param $counts i32) (param $out i32)
    (local $i i32) (local $bits i32) (local $b i32) (local $c i32) (local $num i32)
    (local $v f64) (local $min f64) (local $max f64) (local $sum f64) (local $sq f64)
    (local.set $min (f64.const inf))
    (local.set $max (f64.const -inf))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $bits (i32.load (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))))
        (if (i32.ne (i32.and (local.get $bits) (i32.const 0x7f800000)) (i32.const 0x7f800000))
          (then
            (local.set $v (f64.promote_f32 (f32.reinterpret_i32 (local.get $bits))))
            (if (f64.lt (local.get $v) (local.get $min)) (then (local.set $min (local.get $v))))
            (if (f64.gt (local.get $v) (local.get $max)) (then (local.set $max (local.get $v))))
            (local.set $num (i32.add (local.get $num) (i32.const 1)))
            (local.set $sum (f64.add (local.get $sum) (local.get $v)))
            (local.set $sq (f64.add (local.get $sq) (f64.mul (local.get $v) (local.get $v))))
            (local.set $b
              (i32.load16_s (i32.add (local.get $table) (i32.shl (i32.shr_u (local.get $bits) (i32.const 16)) (i32.const 1)))))
            (local.set $b
              (i32.add (local.get $b)
                (f64.le (f64.load (i32.add (local.get $limits) (i32.shl (local.get $b) (i32.const 3)))) (local.get $v))))
            (local.set $c (i32.add (local.get $counts) (i32.shl (local.get $b) (i32.const 2))))
            (i32.store (local.get $c) (i32.add (i32.load (local.get $c)) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (f64.store (local.get $out) (f64.convert_i32_u (local.get $num)))
    (f64.store offset=8 (local.get $out) (local.get $min))
    (f64.store offset=16 (local.get $out) (local.get $max))
    (f64.store offset=24 (local.get $out) (local.get $sum))
    (f64.store offset=32 (local.get $out) (local.get $sq))))
