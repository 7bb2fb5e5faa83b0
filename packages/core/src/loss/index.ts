/** Loss functions and loss modules with PyTorch's definitions, options and reductions. */
export type { BCELossOptions, BCEWithLogitsLossOptions } from './binary.js';
export { binaryCrossEntropy, binaryCrossEntropyWithLogits } from './binary.js';
export type { CrossEntropyOptions, NLLLossOptions } from './classification.js';
export { crossEntropy, nllLoss } from './classification.js';
export {
  BCELoss,
  BCEWithLogitsLoss,
  CrossEntropyLoss,
  HuberLoss,
  L1Loss,
  MSELoss,
  NLLLoss,
  SmoothL1Loss,
} from './modules.js';
export type { LossOptions, Reduction } from './reduction.js';
export type { HuberLossOptions, SmoothL1LossOptions } from './regression.js';
export { huberLoss, l1Loss, mseLoss, smoothL1Loss } from './regression.js';
