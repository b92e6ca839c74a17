// The projector's three.js scene: one Points cloud (per-point colour, size and opacity in a small shader),
// a perspective camera with orbit controls in 3-D, an orthographic one with pan/zoom in 2-D. Renders on
// demand, at most once per animation frame. Screen positions for hover picking come from the same matrices.
import * as THREE from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';

const VERTEX = `
attribute vec3 color;
attribute float size;
attribute float alpha;
varying vec3 vColor;
varying float vAlpha;
void main() {
  vColor = color;
  vAlpha = alpha;
  gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
  gl_PointSize = size;
}`;
const FRAGMENT = `
varying vec3 vColor;
varying float vAlpha;
void main() {
  vec2 c = gl_PointCoord - vec2(0.5);
  if (dot(c, c) > 0.25) discard;
  gl_FragColor = vec4(vColor, vAlpha);
}`;

export interface PointStyle {
  /** r, g, b per point (0..1). */
  rgb: Float32Array;
  /** Point size in CSS px, per point. */
  size: Float32Array;
  alpha: Float32Array;
}

export class ProjectorScene {
  readonly renderer: THREE.WebGLRenderer;
  private scene = new THREE.Scene();
  private camera: THREE.PerspectiveCamera | THREE.OrthographicCamera;
  private controls: OrbitControls;
  private geometry = new THREE.BufferGeometry();
  private points: THREE.Points;
  private positions: Float32Array = new Float32Array(0);
  private pending = 0;
  /** Frames drawn (the bench reads it as frames per second while rotating). */
  frames = 0;
  onChange: (() => void) | null = null;

  constructor(
    private canvas: HTMLCanvasElement,
    private dim: 2 | 3,
  ) {
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: false, alpha: true });
    this.renderer.setPixelRatio(Math.min(2, window.devicePixelRatio || 1));
    const material = new THREE.ShaderMaterial({ vertexShader: VERTEX, fragmentShader: FRAGMENT, transparent: true, depthWrite: false });
    this.points = new THREE.Points(this.geometry, material);
    this.scene.add(this.points);
    if (dim === 3) {
      this.camera = new THREE.PerspectiveCamera(45, 1, 0.01, 100);
      this.camera.position.set(1.6, 1.2, 2.4);
    } else {
      this.camera = new THREE.OrthographicCamera(-1.2, 1.2, 1.2, -1.2, -10, 10);
      this.camera.position.set(0, 0, 5);
    }
    this.controls = new OrbitControls(this.camera, canvas);
    this.controls.enableRotate = dim === 3;
    this.controls.screenSpacePanning = true;
    this.controls.addEventListener('change', () => {
      this.requestRender();
      this.onChange?.();
    });
  }

  resize(width: number, height: number): void {
    this.renderer.setSize(width, height, false);
    const aspect = width / Math.max(height, 1);
    if (this.camera instanceof THREE.PerspectiveCamera) this.camera.aspect = aspect;
    else Object.assign(this.camera, { left: -1.2 * aspect, right: 1.2 * aspect, top: 1.2, bottom: -1.2 });
    this.camera.updateProjectionMatrix();
    this.requestRender();
  }

  /** Positions in [-1, 1] (n x 3; z ignored in 2-D). */
  setPositions(pos: Float32Array): void {
    this.positions = pos;
    this.geometry.setAttribute('position', new THREE.BufferAttribute(pos, 3));
    this.geometry.computeBoundingSphere();
    this.requestRender();
  }

  setStyle(s: PointStyle): void {
    const ratio = this.renderer.getPixelRatio();
    const size = ratio === 1 ? s.size : s.size.map((x) => x * ratio);
    this.geometry.setAttribute('color', new THREE.BufferAttribute(s.rgb, 3));
    this.geometry.setAttribute('size', new THREE.BufferAttribute(size, 1));
    this.geometry.setAttribute('alpha', new THREE.BufferAttribute(s.alpha, 1));
    this.requestRender();
  }

  /** Turns the 3-D view about the vertical axis by `radians` (the bench's steady rotation). */
  rotate(radians: number): void {
    const p = this.camera.position;
    const c = Math.cos(radians), s = Math.sin(radians);
    p.set(p.x * c - p.z * s, p.y, p.x * s + p.z * c);
    this.controls.update();
  }

  /** CSS-pixel screen positions of all points (x, y per point) for picking. */
  screenPositions(width: number, height: number): Float32Array {
    this.camera.updateMatrixWorld();
    const m = new THREE.Matrix4().multiplyMatrices(this.camera.projectionMatrix, this.camera.matrixWorldInverse).elements;
    const n = this.positions.length / 3;
    const out = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      const x = this.positions[3 * i], y = this.positions[3 * i + 1], z = this.dim === 3 ? this.positions[3 * i + 2] : 0;
      const w = m[3] * x + m[7] * y + m[11] * z + m[15];
      const cx = (m[0] * x + m[4] * y + m[8] * z + m[12]) / w;
      const cy = (m[1] * x + m[5] * y + m[9] * z + m[13]) / w;
      out[2 * i] = ((cx + 1) / 2) * width;
      out[2 * i + 1] = ((1 - cy) / 2) * height;
    }
    return out;
  }

  requestRender(): void {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = 0;
      this.renderer.render(this.scene, this.camera);
      this.frames++;
    });
  }

  dispose(): void {
    if (this.pending) cancelAnimationFrame(this.pending);
    this.controls.dispose();
    this.geometry.dispose();
    (this.points.material as THREE.Material).dispose();
    this.renderer.dispose();
  }
}
