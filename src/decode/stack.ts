import { type DecodedPacket, type Layer, LAYER_NAMES, PacketStatus } from './packet.ts';

/**
 * Header stacks are packed 5 bits per layer (layer codes are < 32), so a stack of at most
 * 10 layers fits below 2^53 and survives as an exact JS number.
 */
export const MAX_STACK_LAYERS = 10;
const LAYER_BITS_BASE = 32;

/** Records a layer; beyond MAX_STACK_LAYERS the layer is dropped and HeaderStackOverrun is set. */
export function addLayer(out: DecodedPacket, layer: Layer): void {
  if (out.numLayers >= MAX_STACK_LAYERS) {
    out.status |= PacketStatus.HeaderStackOverrun;
    return;
  }
  out.pushLayer(layer);
}

/** A number uniquely identifying the layer sequence (first layer in the lowest 5 bits). */
export function headerStackCode(out: DecodedPacket): number {
  const n = out.numLayers < MAX_STACK_LAYERS ? out.numLayers : MAX_STACK_LAYERS;
  let code = 0;
  let scale = 1;
  for (let i = 0; i < n; i++) {
    code += out.layers[i]! * scale;
    scale *= LAYER_BITS_BASE;
  }
  return code;
}

function layerName(layer: number): string {
  return LAYER_NAMES[layer] || `layer${layer}`;
}

/** The header stack as Tranalyzer prints hdrDesc, e.g. `eth:vlan:ipv4:tcp`. */
export function headerStackText(out: DecodedPacket): string {
  let text = '';
  for (let i = 0; i < out.numLayers; i++) text += (i ? ':' : '') + layerName(out.layers[i]!);
  return text;
}

/** Inverse of headerStackCode. */
export function headerStackFromCode(code: number): string {
  let text = '';
  while (code > 0) {
    const layer = code % LAYER_BITS_BASE;
    text += (text ? ':' : '') + layerName(layer);
    code = (code - layer) / LAYER_BITS_BASE;
  }
  return text;
}
