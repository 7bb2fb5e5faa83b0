/**
 * The PyTorch documentation's `nn.RNN` example, in Recur:
 *
 *   rnn = nn.RNN(10, 20, 1, batch_first=True); input = torch.randn(5, 3, 10); h0 = torch.zeros(1, 5, 20)
 *   output, hn = rnn(input, h0)   # output: [5, 3, 20]
 */
import { createJsBackend } from '@recur/backend-js';
import { RNN, randn, setDefaultBackend, zeros } from '@recur/core';

setDefaultBackend(createJsBackend());

const rnn = new RNN({ inputSize: 10, hiddenSize: 20, numLayers: 1, batchFirst: true });
const input = randn([5, 3, 10]); // [batch 5, time 3, features 10]
const h0 = zeros([1, 5, 20]); // [numLayers · directions, batch, hidden]
const [output, hn] = rnn.forward(input, h0);

console.log(`output shape: [${output.shape.join(', ')}]`);
console.log(`h_n shape: [${hn.shape.join(', ')}]`);
console.log(`path: ${rnn.lastPath} on backend ${rnn.backend.name}`);
