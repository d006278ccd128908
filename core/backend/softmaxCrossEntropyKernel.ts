/**
 * Name of Chorus' fused sparse softmax cross-entropy kernel: inputs `logits` [n, classes] float32 and
 * `labels` [n] int32; outputs the mean loss (a scalar) and its gradient with respect to the logits,
 * (softmax(logits) - oneHot(labels)) / n. Used by the training loop where the backend registers it.
 */
export const SPARSE_SOFTMAX_CROSS_ENTROPY = 'ChorusSparseSoftmaxCrossEntropy';
