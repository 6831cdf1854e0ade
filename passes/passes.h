// The graph passes, one per file; pass_registry.cpp lists them by name with their options.
#pragma once
#include "passes/pass_manager.h"

namespace tpuc::passes {

void infer_shapes(Graph& g, const PassOptions&);                 // shape_inference.cpp
void fold_constants(Graph& g, const PassOptions&);               // fold_constants.cpp
void canonicalize(Graph& g, const PassOptions&);                 // canonicalize.cpp
void fold_batchnorm(Graph& g, const PassOptions&);               // fold_batchnorm.cpp
void as_depthwise_conv(Graph& g, const PassOptions&);            // as_depthwise_conv.cpp
void average_pool_by_counts(Graph& g, const PassOptions&);       // average_pool_by_counts.cpp
void instance_norm_as_layer_norm(Graph& g, const PassOptions&);  // instance_norm_as_layer_norm.cpp
void prelu_as_relus(Graph& g, const PassOptions&);               // prelu_as_relus.cpp
void reduce_as_pool(Graph& g, const PassOptions&);               // reduce_as_pool.cpp
void grouped_conv_as_dense(Graph& g, const PassOptions&);        // grouped_conv_as_dense.cpp
void linear_resize_as_conv(Graph& g, const PassOptions&);        // linear_resize_as_conv.cpp
void conv_transpose_as_conv(Graph& g, const PassOptions&);       // conv_transpose_as_conv.cpp
void split_as_slices(Graph& g, const PassOptions&);              // split_as_slices.cpp
void pad_as_concat(Graph& g, const PassOptions&);                // pad_as_concat.cpp
void trim_padding_taps(Graph& g, const PassOptions&);            // trim_padding_taps.cpp
void stack_kernel_rows(Graph& g, const PassOptions&);            // stack_kernel_rows.cpp
void fold_pad(Graph& g, const PassOptions&);                     // fold_pad.cpp
void fuse_preprocess(Graph& g, const PassOptions&);              // fuse_preprocess.cpp
void fuse_activation(Graph& g, const PassOptions&);              // fuse_activation.cpp
void recognize_patterns(Graph& g, const PassOptions&);           // recognize_patterns.cpp
void equalize_cross_layer(Graph& g, const PassOptions&);         // equalize_cross_layer.cpp
void matmul_to_gemm(Graph& g, const PassOptions&);               // matmul_to_gemm.cpp
void sink_transposes(Graph& g, const PassOptions&);              // sink_transposes.cpp
void eliminate_dead_code(Graph& g, const PassOptions&);          // dce.cpp
void eliminate_common_subexpressions(Graph& g, const PassOptions&);  // cse.cpp

// Types the outputs of one node from its inputs' types (shape_inference.cpp).
void infer_node(Graph& g, const Node& n);

}  // namespace tpuc::passes
