// The image viewer: NiiVue with one background modality and the label overlay.
import { Niivue, NVImage, SLICE_TYPE, SHOW_RENDER, DRAG_MODE } from '@niivue/niivue';

import { labelColormap } from './labels.js';

export const LAYOUTS = {
  multiplanar: SLICE_TYPE.MULTIPLANAR,
  axial: SLICE_TYPE.AXIAL,
  coronal: SLICE_TYPE.CORONAL,
  sagittal: SLICE_TYPE.SAGITTAL,
  render: SLICE_TYPE.RENDER,
};

export class Viewer {
  #nv;
  #background = null;
  #overlay = null;
  #overlayOpacity = 0.5;
  #labelKey = '';

  static async create(canvas) {
    const viewer = new Viewer();
    viewer.#nv = new Niivue({
      show3Dcrosshair: true,
      multiplanarShowRender: SHOW_RENDER.ALWAYS,
      dragMode: DRAG_MODE.contrast,
      backColor: [0.05, 0.06, 0.08, 1],
      isOrientCube: false,
    });
    await viewer.#nv.attachToCanvas(canvas);
    viewer.#nv.setSliceType(SLICE_TYPE.MULTIPLANAR);
    return viewer;
  }

  static async image(name, bytes, options = {}) {
    // NiiVue takes ownership of the buffer: hand it a copy.
    const buffer = bytes.slice().buffer;
    return NVImage.loadFromUrl({ url: name, name, buffer, colormap: 'gray', ...options });
  }

  // Shows `background` with `labels` (an image, its label values and their scheme, see labels.js) over it. Uploading
  // volumes is the costly part (seconds without a GPU), so nothing is redone when nothing changed.
  show(background, labels) {
    const overlay = labels?.image ?? null;
    const scheme = labels?.scheme ?? 'brats';
    const labelKey = overlay ? `${scheme}:${labels.values.join(',')}` : '';
    if (background === this.#background && overlay === this.#overlay && labelKey === this.#labelKey) return;
    if (overlay && labelKey !== this.#labelKey) overlay.setColormapLabel(labelColormap(labels.values, scheme));
    if (overlay) overlay.opacity = this.#overlayOpacity;
    this.#background = background;
    this.#overlay = overlay;
    this.#labelKey = labelKey;
    // One upload for the new list: NiiVue's add/remove calls would each re-upload every volume.
    const list = [background, overlay].filter(Boolean);
    this.#nv.volumes = list;
    this.#nv.back = list[0] ?? null;
    this.#nv.overlays = list.slice(1);
    this.#nv.updateGLVolume();
  }

  setLayout(name) {
    this.#nv.setSliceType(LAYOUTS[name]);
  }

  setOverlayOpacity(opacity) {
    this.#overlayOpacity = opacity;
    if (this.#overlay) {
      this.#overlay.opacity = opacity;
      this.#nv.updateGLVolume();
    }
  }

  // Window/level of the background image (display range).
  get window() {
    const v = this.#background;
    return v ? { min: v.cal_min, max: v.cal_max, robustMin: v.robust_min, robustMax: v.robust_max } : null;
  }

  setWindow(min, max) {
    if (!this.#background) return;
    this.#background.cal_min = min;
    this.#background.cal_max = max;
    this.#nv.updateGLVolume();
  }

  resetWindow() {
    const v = this.#background;
    if (!v) return;
    this.setWindow(v.robust_min, v.robust_max);
  }

  onLocationChange(callback) {
    this.#nv.onLocationChange = callback;
  }

  get hasImage() {
    return Boolean(this.#background || this.#overlay);
  }
}
