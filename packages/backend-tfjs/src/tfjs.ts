/**
 * The tfjs-core types the adapter is written against. The adapter never imports tfjs-core at run
 * time: the engine package hands in its own `tf` namespace, so exactly one tfjs-core instance (and
 * one engine) is used, whichever copy the application resolved.
 */
import type * as tfc from '@tensorflow/tfjs-core';

/** The `@tensorflow/tfjs-core` namespace (`import * as tf from '@tensorflow/tfjs-core'`). */
export type TfjsCore = typeof tfc;

/** A tfjs tensor: the tensor type of every Recur tfjs backend. */
export type TfTensor = tfc.Tensor;

/** tfjs's callback that saves tensors for a custom gradient. */
export type GradSaveFunc = tfc.GradSaveFunc;
