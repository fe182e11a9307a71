"""Every sentence a person reads about a step, in English and Chinese, from one catalog."""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping

import sympy

from chainrule_cli.calculus import steps as S
from chainrule_cli.render.printing import TEXTBOOK_NAMES

CATALOG: dict[str, dict[str, str]] = {
    "en": {
        "constant": "{expr} does not depend on {var}, so its derivative is 0.",
        "constant_names": "{names} {verb} constant with respect to {var}, so the derivative of"
        " {expr} is 0.",
        "variable": "The derivative of {var} with respect to itself is 1.",
        "constant_multiple": "Constant multiple rule: {names} {verb} constant with respect to"
        " {var}, so the factor {constant} stays and we differentiate {other}.",
        "sum": "Sum rule: differentiate each term and add the results.",
        "product": "Product rule: one term for each factor, that factor differentiated and the"
        " others kept.",
        "quotient": "Quotient rule: (f/g)' = (f'·g − f·g')/g² with f = {numerator} and"
        " g = {denominator}.",
        "power": "Power rule: d/d{var} {var}^n = n·{var}^(n−1) with n = {exponent}.",
        "exponential": "Exponential rule: d/d{var} a^{var} = a^{var}·ln a with a = {base}.",
        "exponential_e": "The exponential is its own derivative: d/d{var} e^{var} = e^{var}.",
        "logarithm": "Logarithm rule: d/d{var} ln {var} = 1/{var}.",
        "trig": "Derivative of {function}.",
        "inverse_trig": "Derivative of the inverse trigonometric function {function}.",
        "hyperbolic": "Derivative of the hyperbolic function {function}.",
        "inverse_hyperbolic": "Derivative of the inverse hyperbolic function {function}.",
        "abs": "d/d{var} |{var}| = sign({var}), for {var} ≠ 0 (|{var}| has no derivative at 0).",
        "piecewise": "Differentiate {function} piece by piece; at a tie or a boundary the"
        " derivative may not exist, and H(0) = 1/2 is used there.",
        "special": "The special function {function} has its own derivative.",
        "general_power": "Logarithmic differentiation: taking ln of both sides gives {identity};"
        " differentiate both sides (the left one gives {left}), with {f_is} and {g_is}.",
        "function": "{name} is an unknown function: its derivative is written {name_prime}.",
        "chain": "Chain rule: let {u} = {inner}; then dy/d{var} = dy/d{u} · d{u}/d{var}.",
        "multivariable_chain": "Several arguments depend on {var}: add ∂F/∂a · da/d{var} over"
        " them.",
        "rewrite": "Rewrite: {expr} = {rewritten}, and differentiate that.",
        "rewrite_sigmoid": "Recognise the sigmoid: {expr} = σ({var}), and σ' = σ·(1 − σ).",
        "repeat": "Already worked out above: the derivative of {expr} is {result}.",
        "higher_order": "Differentiate {order} times, each time the previous result.",
        "implicit": "Differentiate both sides with respect to {var}, with {dependent} a function"
        " of {var}: each term with {dependent} by the chain rule, so a factor {dependent_prime}"
        " appears; then solve for {dependent_prime}.",
        "implicit_higher": "Differentiate the previous derivative again with respect to {var}"
        " ({dependent} is still a function of {var}), then put in the first derivative for"
        " {dependent_prime}.",
        "is": "is",
        "are": "are",
        "and": "and",
        "name.constant": "Constant",
        "name.variable": "Variable",
        "name.constant_multiple": "Constant multiple",
        "name.sum": "Sum rule",
        "name.product": "Product rule",
        "name.quotient": "Quotient rule",
        "name.power": "Power rule",
        "name.exponential": "Exponential",
        "name.logarithm": "Logarithm",
        "name.trig": "Trigonometric function",
        "name.inverse_trig": "Inverse trigonometric function",
        "name.hyperbolic": "Hyperbolic function",
        "name.inverse_hyperbolic": "Inverse hyperbolic function",
        "name.abs": "Absolute value",
        "name.piecewise": "Piecewise",
        "name.special": "Special function",
        "name.general_power": "Logarithmic differentiation",
        "name.function": "Unknown function",
        "name.chain": "Chain rule",
        "name.multivariable_chain": "Multivariable chain rule",
        "name.rewrite": "Rewrite",
        "name.repeat": "Repeat",
        "name.higher_order": "Higher-order derivative",
        "name.implicit": "Implicit differentiation",
        "why.solve": "solve for the derivative",
        "why.substitute": "put in the first derivative",
        "why.on_curve": "simplify with the equation itself",
        "why.cancel": "cancel common factors",
        "why.factor": "factor",
        "why.common_denominator": "put over a common denominator",
        "why.expand": "multiply out",
        "why.trig_identity": "use a trigonometric identity",
        "why.trig_quotients": "write sin/cos as tan, cos/sin as cot, 1/cos as sec, 1/sin as csc",
        "why.combine_powers": "combine powers of the same base",
        "why.combine_logs": "combine the logarithms",
        "why.sign_over_abs": "sign(u)/|u| = 1/u for u ≠ 0",
        "why.formula": "the rule on this expression",
        "why.middle": "the parts' derivatives put in",
        "why.put_back": "the intermediate put back",
        "hint.heading": "Hint (level {level} of 3) for {task}",
        "hint.heading_within": "Hint (level {level} of 3) for {pending}, the first derivative"
        " still to take in {within}",
        "practice.title": "Practice: {topic} ({level})",
        "practice.key_title": "{title}: answer key",
        "practice.topic.power": "the power rule",
        "practice.topic.product": "the product rule",
        "practice.topic.quotient": "the quotient rule",
        "practice.topic.chain": "the chain rule",
        "practice.topic.exp-log": "exponentials and logarithms",
        "practice.topic.trig": "trigonometric functions",
        "practice.topic.inverse-trig": "inverse trigonometric functions",
        "practice.topic.implicit": "implicit differentiation",
        "practice.topic.logarithmic": "logarithmic differentiation",
        "practice.topic.mixed": "mixed rules",
        "practice.level.easy": "easy",
        "practice.level.medium": "medium",
        "practice.level.hard": "hard",
        "practice.seed": "seed {seed}",
        "practice.instructions": "Differentiate each function with respect to {var}.",
        "practice.instructions_implicit": "Differentiate each function with respect to {var};"
        " for an equation, find dy/dx.",
        "practice.seeded": "{said} ({seed})",
        "practice.implicit_task": "dy/dx for {equation}",
        "practice.implicit_hint": "Differentiate both sides with y a function of x (the chain"
        " rule on every y), then solve for dy/dx.",
        "practice.name": "Name",
        "practice.date": "Date",
        "practice.key": "Answers",
        "practice.hint": "Hint",
        "practice.answer": "Answer",
        "practice.derivation": "Derivation, step by step",
        "practice.problem": "Problem {n} of {count}: {task}",
        "practice.prompt": "Your answer (? a hint, s the derivation, q to quit): ",
        "practice.correct": "✓ Correct.",
        "practice.wrong": "✗ Not yet.",
        "practice.again": "Try again; ? gives a hint, s the derivation.",
        "practice.no_more_hints": "No more hints: s shows the derivation.",
        "practice.shown": "The answer: {answer}",
        "practice.score": "Score: {score}/{count}",
        "practice.unreadable": "That answer cannot be read: {error}",
        "working.heading": "Your working for {task}, line by line",
        "working.line": "line {n}",
        "working.the_derivative": "the derivative",
        "working.follows": "follows from {against}.",
        "working.equals_derivative": "equals the derivative.",
        "working.given": "the function, restated.",
        "working.not_the_function": "this is not the function {expr}: write y' = … or dy/dx = …"
        " for a step of its derivative.",
        "working.right_again": "but this line is the derivative itself: right again from here.",
        "working.first_wrong_answer_right": "Not correct: line {n} is the first wrong step,"
        " though the last line is the derivative, {result}.",
        "working.follows_wrong": "follows from your {against}, which is wrong: the mistake is"
        " carried on.",
        "working.undecided": "could not be decided against {against}.",
        "working.wrong": "does not follow from {against}.",
        "working.counterexample": "at {point}, this line is {value} but {against} is {other}.",
        "working.correct": "Correct: every line follows, and {d} = {result}.",
        "working.first_wrong": "Not correct: line {n} is the first wrong step. The derivative"
        " is {result}.",
        "working.some_undecided": "Undecided: a line could not be checked.",
        "working.unfinished": "So far so good, but not finished: {left} still to take.",
        "working.line_heading": "Line",
        "working.said_heading": "Verdict",
        "ui.and_more": "{title}, and {count} more",
        "hint.why.sum": "{where} is a sum: {rule}, differentiate each term.",
        "hint.why.product": "{where} is a product of {factors}: {rule}.",
        "hint.why.quotient": "{where} is a quotient, {top} over {bottom}: {rule}.",
        "hint.why.chain": "{where} is a function of {inner}, not of {var} itself: {rule}, with"
        " {u} = {inner}.",
        "hint.why.power": "{where} is {var} to a constant power: {rule}.",
        "hint.why.constant_multiple": "{where} is a constant times a function of {var}: {rule}.",
        "hint.why.constant": "{where} does not depend on {var}: its derivative is 0.",
        "hint.why.variable": "{where} is {var} itself: its derivative is 1.",
        "hint.why.general_power": "{where} has {var} in its base and in its exponent: {rule}.",
        "hint.why.implicit": "{where} is an equation: differentiate both sides, with {dependent}"
        " a function of {var} ({rule}).",
        "hint.why.rewrite": "{where} is easier written another way first: {rule}.",
        "hint.why.multivariable_chain": "{where} has several arguments that depend on {var}:"
        " {rule}, a term for each.",
        "hint.why.function": "{where} is an unknown function of {var}: its derivative is"
        " written with a prime.",
        "hint.why.known": "{where} is a function of {var} itself whose derivative is a fact to"
        " know: {name}.",
        "hint.and": " and ",
        "hint.let": "Let {u} = {inner}, so {value} = {outer}.",
        "hint.parts": "Its parts: {parts}.",
        "hint.formula": "The rule: {formula}.",
        "hint.applied": "Applied: {left} = {applied}; the derivatives left are yours to take.",
        "hint.applied_fact": "Applied: {left} = {applied}.",
        "hint.not.sum": "{rule} does not apply: {where} is not a sum.",
        "hint.not.product": "{rule} does not apply: {where} is not a product of factors that"
        " depend on {var}.",
        "hint.not.quotient": "{rule} does not apply: there is no quotient ({where} has no"
        " denominator that depends on {var}).",
        "hint.not.chain": "{rule} does not apply: {where} is not a function of a function of"
        " {var}.",
        "hint.not.power": "{rule} does not apply: {where} is not {var} to a constant power.",
        "hint.not.constant_multiple": "{rule} does not apply: {where} has no constant factor.",
        "hint.not.general_power": "{rule} does not apply: {where} does not have {var} in both"
        " its base and its exponent.",
        "why.in_full": "written out in full",
        "why.expand_numerator": "expand the numerator",
        "ui.implicit_task": "Differentiate {equation} implicitly with respect to {var}, {function}",
        "ui.implicit_task_order": "Differentiate {equation} implicitly with respect to {var},"
        " {order} times, {function}",
        "ui.not_on_curve": "{point} is not on the curve {equation}",
        "note.absent": "{var} does not appear in {expr}, so the derivative is 0.",
        "note.imaginary": "I is the imaginary unit i (√−1) here, not a variable: variables are"
        " real, so a quantity named I (a current) needs another name, such as I_0.",
        "ui.tangent_task": "Tangent and normal to {expr} at {point}",
        "ui.tangent_heading": "Tangent and normal",
        "ui.tangent_point": "point",
        "ui.tangent_slope": "slope",
        "ui.tangent_line": "tangent",
        "ui.normal_line": "normal",
        "ui.no_slope": "none, the tangent is vertical",
        "why.factor_terms": "collect common factors",
        "why.one_fraction": "put over a common denominator and expand the numerator",
        "ui.task": "Differentiate {expr} with respect to {var}",
        "ui.gradient_task": "Gradient of {expr} with respect to {vars}",
        "ui.gradient": "Gradient",
        "ui.jacobian_task": "Jacobian of {outputs} with respect to {vars}",
        "ui.jacobian": "Jacobian",
        "ui.entry": "Entry ({row}, {col})",
        "ui.chain_of_matrices": "Chain rule: J = J_f(u) · J_u(x)",
        "ui.product_agrees": "The product equals the Jacobian of the substituted functions.",
        "ui.product_differs": "The product differs from the Jacobian of the substituted functions.",
        "ui.task_order": "Differentiate {expr} with respect to {var}, {order} times",
        "ui.steps": "Steps",
        "ui.let": "let",
        "ui.with": "with",
        "ui.see_step": "see step {number}",
        "ui.result": "Result",
        "ui.in_terms_of": "In terms of {named},",
        "ui.simplified": "Simplified: {why}",
        "ui.named": "written with the intermediates of the steps",
        "ui.value": "Value at {point}",
        "ui.undefined": "undefined (no derivative there)",
        "ui.undefined_not_real": "undefined (not real at {point})",
        "ui.graph_task": "Computational graph of {expr}",
        "ui.graph_task_at": "Computational graph of {expr} at {point}",
        "ui.forward": "Forward pass",
        "ui.local": "Local derivatives (one per edge)",
        "ui.backward": "Backward pass: n̄ = ∂{y}/∂n, the sum over the uses c of n of c̄ · ∂c/∂n",
        "ui.backward_table": "Backward pass, from the output to the inputs",
        "ui.col_node": "node",
        "ui.col_computes": "computes",
        "ui.col_op": "operation",
        "ui.col_local": "local derivatives",
        "ui.col_value": "value",
        "ui.col_grad": "gradient",
        "ui.col_via": "from its uses",
        "ui.input": "input",
        "ui.used_twice": "{count} uses: a sum",
        "ui.convention": "At this point {nodes}: the derivative does not exist there, and the"
        " gradient shown follows a convention: a tie of two inputs of max or min splits it"
        " equally, relu'(0) = 0 (as in PyTorch and JAX), |x| and sign give sign(0) = 0,"
        " H(0) = 1/2, a piecewise function takes the piece that holds.",
        "ui.no_gradient": "undefined",
        "ui.unused": "{names} not used by the expression: gradient 0",
        "ui.long": "(written out in the original variables in --format json)",
        "ui.dot_value": "value",
        "ui.dot_grad": "grad",
        "ui.dot_convention": "by convention",
        "ui.graph_verified": "Every gradient verified against SymPy.",
        "ui.graph_not_verified": "NOT VERIFIED: the gradient of {nodes} disagrees with SymPy."
        " Do not trust this result; please report it.",
        "ui.check_task": "Is {answer} the derivative of {expr} with respect to {var}?",
        "ui.check_task_order": "Is {answer} the derivative of order {order} of {expr} with"
        " respect to {var}?",
        "ui.correct": "Correct.",
        "ui.incorrect": "Incorrect.",
        "ui.undecided": "Could not decide.",
        "ui.how_symbolic": "The answer and the derivative {d} = {expected} are the same"
        " expression.",
        "ui.how_numeric": "The answer equals the derivative {d} = {expected}: they agree at"
        " every simple point and at {count} random ones, each to 50 digits.",
        "ui.how_curve": "The answer equals the derivative {d} = {expected} on the curve: their"
        " difference is a multiple of the equation, which is 0 there.",
        "ui.how_curve_points": "The answer equals the derivative {d} = {expected} on the curve:"
        " they agree at {count} of its points, each to 50 digits.",
        "ui.undecided_why": "The answer and the derivative {d} = {expected} could be compared"
        " at only {count} points where both are real numbers ({needed} are needed), searching"
        " from −{farthest} to {farthest}.",
        "ui.counterexample": "At {point} the answer is {answer}, but the derivative is {expected}.",
        "ui.domain_expected": "They agree wherever both are defined; at {point} the answer is"
        " not defined but the derivative is.",
        "ui.domain_answer": "They agree wherever both are defined; at {point} the derivative is"
        " not defined but the answer is.",
        "ui.likely_mistake": "Likely mistake: {what}",
        "ui.mistake_line": "d/d{var} {where} = {correct}, not {wrong}",
        "mistake.chain_rule_missing_inner": "the chain rule's inner derivative is missing.",
        "mistake.sign": "a sign error.",
        "mistake.power_rule": "the power rule is misapplied.",
        "mistake.quotient_rule_order": "the quotient rule with the numerator's terms swapped"
        " (it is f'g − fg', over g²).",
        "mistake.constant_factor": "a constant factor is wrong or missing.",
        "mistake.product_rule_missing_term": "a term of the product rule is missing"
        " ((fg)' = f'g + fg').",
        "mistake.product_of_derivatives": "the derivatives of the factors were multiplied;"
        " (fg)' = f'g + fg', not f'g'.",
        # issue 23: check grades what students hand in
        "mistake.quotient_rule_sign": "a sign error in the quotient rule: + between the"
        " numerator's terms where it is − (f'g − fg', over g²).",
        "mistake.integrated": "you integrated instead: the answer is an antiderivative of"
        " {function} (its derivative is {function}), not the derivative.",
        "mistake.wrong_order": "that is the {nth} derivative, not the {asked_nth}.",
        "mistake.function_itself": "that is the function itself (its derivative of order 0),"
        " not its {asked_nth} derivative.",
        "mistake.constant_of_integration": "a derivative has no constant of integration:"
        " {name} belongs to an antiderivative.",
        "mistake.restated": "the answer restates the question: {where} is the derivative still"
        " to take.",
        "mistake.wrong_variable": "the answer is written in {used}, but the variable is {var}.",
        "mistake.quotient_rule_denominator": "the quotient rule's denominator is g², not g:"
        " (f/g)' = (f'g − fg')/g².",
        "mistake.quotient_of_derivatives": "the derivatives were divided: (f/g)' is"
        " (f'g − fg')/g², not f'/g'.",
        "mistake.log_missing_inner": "d/dx ln u is u'/u: the inner derivative u' is missing"
        " (1/u alone is the derivative of ln x only).",
        "mistake.exp_missing_inner": "d/dx e^u is e^u·u': the inner derivative u' is missing.",
        "mistake.exponential_missing_log": "d/dx a^x is a^x·ln a: the factor ln a is missing.",
        "mistake.chain_rule_twice": "the inner derivative is multiplied in twice: the chain"
        " rule takes it once.",
        "mistake.other_variable": "that is the derivative with respect to {used}, not {var}.",
        "mistake.wrong_case": "the answer writes {used} for {var}: the case of a letter"
        " matters, and {used} is another variable.",
        "ui.mistake": "Mistake: {what}",
        "ui.without_constant": "Without {name}, the answer equals the derivative {d} = {expected}.",
        "ui.renamed_right": "Written in {var}, the answer equals the derivative {d} = {expected}.",
        "ui.renamed_wrong": "Even written in {var}, it is not the derivative.",
        "ui.chain_holds": "Every '=' of the chain holds ({count} of them).",
        "ui.chain_starts_right": "The answer {answer} equals the derivative {d} = {expected},"
        " but every '=' of the chain must hold.",
        "ui.link_fails": "The {nth} '=' does not hold: at {point}, {left} is {left_value} but"
        " {right} is {right_value}.",
        "ui.link_undecided": "Whether the {nth} '=' holds could not be decided.",
        "ui.branch": "The answer holds where {holds} (one branch of the curve, as at"
        " {holds_at}) but not where {fails}.",
        "ui.correct_derivation": "The correct derivation",
        "ui.summary": "{correct} correct of {total}",
        "ui.summary_rest": "{incorrect} incorrect, {undecided} undecided, {errors} not read",
        "ui.verified": "Every step verified against SymPy.",
        "ui.not_verified": "NOT VERIFIED: step {numbers} disagrees with SymPy. Do not trust"
        " this result; please report it.",
        "layers_read": "Read: {expr}   with {shapes}",
        "layers_scalar": "scalar",
        "layers_forward": "Forward pass (one name per layer):",
        "layers_backward": "Backward pass (δ_n = ∂{output}/∂n, of n's shape), in the order "
        "backpropagation computes it:",
        "layers_results": "Results:",
        "layers_shape_of": "{shape}, the shape of {var} (as PyTorch's {var}.grad)",
        "layers_verified": "✓ every step verified entry by entry against scalar SymPy at "
        "small sizes ({sizes})",
        "layers_not_verified": "✗ NOT VERIFIED: a step disagrees with scalar SymPy at small "
        "sizes ({sizes})",
        "layers_at": "At {point}:",
        "layers_values": "Values at the point",
        "layers_col_quantity": "quantity",
        "layers_col_shape": "shape",
        "layers_one_hot": "softmax(z)(𝟏ᵀt) − t is p − t when the entries of t add up to "
        "1 (a one-hot or probability target), as a course writes it.",
        "read_as_note": "read: {note}",
        "layers_rule_linear_map": "linear map",
        "layers_rule_sum": "sum rule",
        "layers_rule_constant_multiple": "constant multiple",
        "layers_rule_scaling": "scaling",
        "layers_rule_hadamard": "Hadamard product",
        "layers_rule_quotient": "entrywise quotient",
        "layers_rule_power": "power rule",
        "layers_rule_transpose": "transpose",
        "layers_rule_elementwise": "elementwise function",
        "layers_rule_dot": "dot product",
        "layers_rule_quadratic_form": "quadratic form",
        "layers_rule_reduce_sum": "sum of entries",
        "layers_rule_mean": "mean",
        "layers_rule_norm": "norm",
        "layers_rule_squared_norm": "squared norm",
        "layers_rule_trace": "trace",
        "layers_rule_determinant": "determinant",
        "layers_rule_log_det": "log det",
        "layers_rule_inverse": "inverse",
        "layers_rule_softmax": "softmax",
        "layers_rule_log_softmax": "log-softmax",
        "layers_rule_logsumexp": "logsumexp",
        "layers_rule_diag": "diag",
        "layers_rule_multivariable_chain": "many-variable chain rule, one term per use",
        "layers_jacobian_chain": "Chain rule in matrix form (∂n/∂{var}: rows n's entries, columns "
        "{var}'s), each Jacobian the local one times the one before, in the order the forward pass "
        "computes them:",
        "layers_jacobian_column": "{shape}: the derivative of each entry of {output} by {var}",
        "layers_jacobian_row": "{shape}: one row, the gradient of {output} by {var} as a row "
        "(∇{output}ᵀ)",
        "layer_graph_title": "Computational graph of {title} (nodes hold arrays)",
        "layer_graph_inputs": "Inputs: {shapes}",
        "layer_graph_forward": "Forward pass (each node's value, in the order it is computed):",
        "layer_graph_backward": "Backward pass (each node's gradient ∂{output}/∂n, of its shape), "
        "in the order backpropagation computes them:",
        "layer_graph_input": "input",
        "layer_graph_op_affine": "affine map",
        "layer_graph_op_cross_entropy": "cross-entropy",
        "layers_jacobian_shape": "{shape}: rows the {rows} entries of {output}, columns the {cols} "
        "of {var} (the Jacobian's (m, n))",
    },
    "zh": {
        "constant": "{expr} 与 {var} 无关，所以导数为 0。",
        "constant_names": "{names} 对 {var} 而言是常数，所以 {expr} 的导数为 0。",
        "variable": "{var} 对自身的导数为 1。",
        "constant_multiple": "常数倍法则：{names} 对 {var} 而言是常数，保留因子 {constant}，"
        "对 {other} 求导。",
        "sum": "和的法则：逐项求导再相加。",
        "product": "乘积法则：每个因子各求导一次，其余因子不变，再相加。",
        "quotient": "商的法则：(f/g)' = (f'·g − f·g')/g²，"
        "其中 f = {numerator}，g = {denominator}。",
        "power": "幂法则：d/d{var} {var}^n = n·{var}^(n−1)，其中 n = {exponent}。",
        "exponential": "指数法则：d/d{var} a^{var} = a^{var}·ln a，其中 a = {base}。",
        "exponential_e": "指数函数的导数是它自己：d/d{var} e^{var} = e^{var}。",
        "logarithm": "对数法则：d/d{var} ln {var} = 1/{var}。",
        "trig": "{function} 的导数。",
        "inverse_trig": "反三角函数 {function} 的导数。",
        "hyperbolic": "双曲函数 {function} 的导数。",
        "inverse_hyperbolic": "反双曲函数 {function} 的导数。",
        "abs": "d/d{var} |{var}| = sign({var})（{var} ≠ 0；|{var}| 在 0 处不可导）。",
        "piecewise": "对 {function} 逐段求导；在相等处或分段点导数可能不存在，此处取 H(0) = 1/2。",
        "special": "特殊函数 {function} 有其自身的导数公式。",
        "general_power": "对数求导法：两边取对数得 {identity}；再两边求导（左边得 {left}），"
        "其中 {f_is}，{g_is}。",
        "function": "{name} 是未知函数，其导数记作 {name_prime}。",
        "chain": "链式法则：设 {u} = {inner}，则 dy/d{var} = dy/d{u} · d{u}/d{var}。",
        "multivariable_chain": "多个自变量依赖于 {var}：对它们求 ∂F/∂a · da/d{var} 之和。",
        "rewrite": "改写：{expr} = {rewritten}，再求导。",
        "rewrite_sigmoid": "识别 sigmoid 函数：{expr} = σ({var})，且 σ' = σ·(1 − σ)。",
        "repeat": "前面已经求过：{expr} 的导数是 {result}。",
        "higher_order": "求 {order} 次导数，每次对上一次的结果求导。",
        "implicit": "两边同时对 {var} 求导，{dependent} 是 {var} 的函数：含 {dependent} 的项"
        "用链式法则，出现因子 {dependent_prime}；再解出 {dependent_prime}。",
        "implicit_higher": "对上一次的导数再对 {var} 求导（{dependent} 仍是 {var} 的函数），"
        "再代入一阶导数 {dependent_prime}。",
        "is": "",
        "are": "",
        "and": "、",
        "name.constant": "常数",
        "name.variable": "自变量",
        "name.constant_multiple": "常数倍法则",
        "name.sum": "和的法则",
        "name.product": "乘积法则",
        "name.quotient": "商的法则",
        "name.power": "幂法则",
        "name.exponential": "指数函数",
        "name.logarithm": "对数函数",
        "name.trig": "三角函数",
        "name.inverse_trig": "反三角函数",
        "name.hyperbolic": "双曲函数",
        "name.inverse_hyperbolic": "反双曲函数",
        "name.abs": "绝对值",
        "name.piecewise": "分段函数",
        "name.special": "特殊函数",
        "name.general_power": "对数求导法",
        "name.function": "未知函数",
        "name.chain": "链式法则",
        "name.multivariable_chain": "多元链式法则",
        "name.rewrite": "改写",
        "name.repeat": "重复",
        "name.higher_order": "高阶导数",
        "name.implicit": "隐函数求导",
        "why.solve": "解出导数",
        "why.substitute": "代入一阶导数",
        "why.on_curve": "利用方程本身化简",
        "why.cancel": "约去公因式",
        "why.factor": "因式分解",
        "why.common_denominator": "通分",
        "why.expand": "展开",
        "why.trig_identity": "利用三角恒等式",
        "why.trig_quotients": "把 sin/cos 写成 tan，cos/sin 写成 cot，"
        "1/cos 写成 sec，1/sin 写成 csc",
        "why.combine_powers": "合并同底数的幂",
        "why.combine_logs": "合并对数",
        "why.sign_over_abs": "当 u ≠ 0 时 sign(u)/|u| = 1/u",
        "why.formula": "对本式套用法则",
        "why.middle": "代入各部分的导数",
        "why.put_back": "代回中间变量",
        "hint.heading": "提示（第 {level} 级，共 3 级）：{task}",
        "hint.heading_within": "提示（第 {level} 级，共 3 级）：{within} 中第一个尚未求的导数"
        " {pending}",
        "practice.title": "练习：{topic}（{level}）",
        "practice.key_title": "{title}：答案",
        "practice.topic.power": "幂法则",
        "practice.topic.product": "乘积法则",
        "practice.topic.quotient": "商的法则",
        "practice.topic.chain": "链式法则",
        "practice.topic.exp-log": "指数与对数",
        "practice.topic.trig": "三角函数",
        "practice.topic.inverse-trig": "反三角函数",
        "practice.topic.implicit": "隐函数求导",
        "practice.topic.logarithmic": "对数求导法",
        "practice.topic.mixed": "综合",
        "practice.level.easy": "容易",
        "practice.level.medium": "中等",
        "practice.level.hard": "困难",
        "practice.seed": "随机种子 {seed}",
        "practice.instructions": "求下列各函数对 {var} 的导数。",
        "practice.instructions_implicit": "求下列各函数对 {var} 的导数；方程则求 dy/dx。",
        "practice.seeded": "{said}（{seed}）",
        "practice.implicit_task": "由 {equation} 求 dy/dx",
        "practice.implicit_hint": "两边对 x 求导，y 是 x 的函数（每个 y 都用链式法则），"
        "再解出 dy/dx。",
        "practice.name": "姓名",
        "practice.date": "日期",
        "practice.key": "答案",
        "practice.hint": "提示",
        "practice.answer": "答案",
        "practice.derivation": "求导过程（逐步）",
        "practice.problem": "第 {n} 题（共 {count} 题）：{task}",
        "practice.prompt": "你的答案（? 提示，s 看过程，q 退出）：",
        "practice.correct": "✓ 正确。",
        "practice.wrong": "✗ 还不对。",
        "practice.again": "再试一次；? 给出提示，s 显示求导过程。",
        "practice.no_more_hints": "没有更多提示了：s 显示求导过程。",
        "practice.shown": "答案：{answer}",
        "practice.score": "得分：{score}/{count}",
        "practice.unreadable": "无法读取这个答案：{error}",
        "working.heading": "逐行检查你的解答：{task}",
        "working.line": "第 {n} 行",
        "working.the_derivative": "导数",
        "working.follows": "由{against}得出。",
        "working.equals_derivative": "等于导数。",
        "working.given": "重述了函数。",
        "working.not_the_function": "这不是函数 {expr}：求导的步骤请写成 y' = … 或 dy/dx = …。",
        "working.right_again": "不过这一行就是导数本身：从这里起又对了。",
        "working.first_wrong_answer_right": "不正确：第 {n} 行是第一个错误的步骤，"
        "不过最后一行是导数 {result}。",
        "working.follows_wrong": "由你的{against}得出，但那一行是错的：错误被带了下来。",
        "working.undecided": "无法判断是否由{against}得出。",
        "working.wrong": "不能由{against}得出。",
        "working.counterexample": "在 {point} 处，这一行为 {value}，而{against}为 {other}。",
        "working.correct": "正确：每一行都成立，{d} = {result}。",
        "working.first_wrong": "不正确：第 {n} 行是第一个错误的步骤。导数是 {result}。",
        "working.some_undecided": "无法判断：有一行无法检查。",
        "working.unfinished": "目前正确，但尚未完成：还要求 {left}。",
        "working.line_heading": "行",
        "working.said_heading": "判断",
        "ui.and_more": "{title}，另有 {count} 题",
        "hint.why.sum": "{where} 是和：用{rule}，逐项求导。",
        "hint.why.product": "{where} 是 {factors} 的乘积：用{rule}。",
        "hint.why.quotient": "{where} 是商，{top} 除以 {bottom}：用{rule}。",
        "hint.why.chain": "{where} 是 {inner} 的函数，不是 {var} 本身的函数：用{rule}，设"
        " {u} = {inner}。",
        "hint.why.power": "{where} 是 {var} 的常数次幂：用{rule}。",
        "hint.why.constant_multiple": "{where} 是常数乘以 {var} 的函数：用{rule}。",
        "hint.why.constant": "{where} 不依赖于 {var}：其导数为 0。",
        "hint.why.variable": "{where} 就是 {var} 本身：其导数为 1。",
        "hint.why.general_power": "{where} 的底数和指数都含 {var}：用{rule}。",
        "hint.why.implicit": "{where} 是方程：两边求导，{dependent} 是 {var} 的函数（{rule}）。",
        "hint.why.rewrite": "{where} 先换一种写法更容易：{rule}。",
        "hint.why.multivariable_chain": "{where} 有多个依赖于 {var} 的自变量：用{rule}，每个一项。",
        "hint.why.function": "{where} 是 {var} 的未知函数：其导数用撇号表示。",
        "hint.why.known": "{where} 是 {var} 本身的函数，其导数是应当记住的公式：{name}。",
        "hint.and": " 与 ",
        "hint.let": "设 {u} = {inner}，则 {value} = {outer}。",
        "hint.parts": "各部分：{parts}。",
        "hint.formula": "法则：{formula}。",
        "hint.applied": "套用：{left} = {applied}；剩下的导数请你来求。",
        "hint.applied_fact": "套用：{left} = {applied}。",
        "hint.not.sum": "{rule}不适用：{where} 不是和。",
        "hint.not.product": "{rule}不适用：{where} 不是依赖于 {var} 的因子的乘积。",
        "hint.not.quotient": "{rule}不适用：没有商（{where} 没有依赖于 {var} 的分母）。",
        "hint.not.chain": "{rule}不适用：{where} 不是 {var} 的复合函数。",
        "hint.not.power": "{rule}不适用：{where} 不是 {var} 的常数次幂。",
        "hint.not.constant_multiple": "{rule}不适用：{where} 没有常数因子。",
        "hint.not.general_power": "{rule}不适用：{where} 的底数和指数并不都含 {var}。",
        "why.in_full": "完整写出",
        "why.expand_numerator": "展开分子",
        "ui.implicit_task": "对 {equation} 关于 {var} 隐函数求导，{function}",
        "ui.implicit_task_order": "对 {equation} 关于 {var} 隐函数求 {order} 阶导数，{function}",
        "ui.not_on_curve": "{point} 不在曲线 {equation} 上",
        "note.absent": "{expr} 中没有 {var}，所以导数为 0。",
        "note.imaginary": "这里的 I 是虚数单位 i（√−1），不是变量：变量都是实数，"
        "名为 I 的量（如电流）请换个名字，例如 I_0。",
        "ui.tangent_task": "{expr} 在 {point} 处的切线与法线",
        "ui.tangent_heading": "切线与法线",
        "ui.tangent_point": "点",
        "ui.tangent_slope": "斜率",
        "ui.tangent_line": "切线",
        "ui.normal_line": "法线",
        "ui.no_slope": "不存在，切线是竖直的",
        "why.factor_terms": "提取公因式",
        "why.one_fraction": "通分并展开分子",
        "ui.task": "求 {expr} 对 {var} 的导数",
        "ui.gradient_task": "求 {expr} 关于 {vars} 的梯度",
        "ui.gradient": "梯度",
        "ui.jacobian_task": "求 {outputs} 关于 {vars} 的雅可比矩阵",
        "ui.jacobian": "雅可比矩阵",
        "ui.entry": "第 ({row}, {col}) 个元素",
        "ui.chain_of_matrices": "链式法则：J = J_f(u) · J_u(x)",
        "ui.product_agrees": "乘积等于代入后函数的雅可比矩阵。",
        "ui.product_differs": "乘积与代入后函数的雅可比矩阵不符。",
        "ui.task_order": "求 {expr} 对 {var} 的 {order} 阶导数",
        "ui.steps": "步骤",
        "ui.let": "设",
        "ui.with": "其中",
        "ui.see_step": "见第 {number} 步",
        "ui.result": "结果",
        "ui.in_terms_of": "用 {named} 表示，",
        "ui.simplified": "化简：{why}",
        "ui.named": "用各步的中间变量表示",
        "ui.value": "在 {point} 处的值",
        "ui.undefined": "无定义（该点不可导）",
        "ui.undefined_not_real": "无定义（在 {point} 处不是实数）",
        "ui.graph_task": "{expr} 的计算图",
        "ui.graph_task_at": "{expr} 在 {point} 处的计算图",
        "ui.forward": "前向传播",
        "ui.local": "局部导数（每条边一个）",
        "ui.backward": "反向传播：n̄ = ∂{y}/∂n，对 n 的每个使用者 c 求 c̄ · ∂c/∂n 之和",
        "ui.backward_table": "反向传播，从输出到输入",
        "ui.col_node": "节点",
        "ui.col_computes": "计算",
        "ui.col_op": "运算",
        "ui.col_local": "局部导数",
        "ui.col_value": "值",
        "ui.col_grad": "梯度",
        "ui.col_via": "来自其使用者",
        "ui.input": "输入",
        "ui.used_twice": "{count} 处使用：求和",
        "ui.convention": "在此点 {nodes}：该处导数不存在，所示梯度按约定取值：max 或 min 的两个输入"
        "相等时梯度平分，relu'(0) = 0（与 PyTorch、JAX 相同），|x| 与 sign 取 sign(0) = 0，"
        "H(0) = 1/2，分段函数取该点所在的那一段。",
        "ui.no_gradient": "无定义",
        "ui.unused": "表达式不含 {names}：梯度为 0",
        "ui.long": "（用原变量写出的形式见 --format json）",
        "ui.dot_value": "值",
        "ui.dot_grad": "梯度",
        "ui.dot_convention": "按约定",
        "ui.graph_verified": "每个梯度都已用 SymPy 验证。",
        "ui.graph_not_verified": "未通过验证：{nodes} 的梯度与 SymPy 不符。"
        "请勿采信此结果，并报告此问题。",
        "ui.check_task": "{answer} 是 {expr} 对 {var} 的导数吗？",
        "ui.check_task_order": "{answer} 是 {expr} 对 {var} 的 {order} 阶导数吗？",
        "ui.correct": "正确。",
        "ui.incorrect": "错误。",
        "ui.undecided": "无法判定。",
        "ui.how_symbolic": "答案与导数 {d} = {expected} 是同一个表达式。",
        "ui.how_numeric": "答案等于导数 {d} = {expected}：两者在每个简单点和"
        " {count} 个随机点上一致，每个点精确到 50 位有效数字。",
        "ui.how_curve": "答案在曲线上等于导数 {d} = {expected}：两者之差是方程的倍式，"
        "在曲线上为 0。",
        "ui.how_curve_points": "答案在曲线上等于导数 {d} = {expected}：两者在曲线的 {count} 个"
        "点上一致，每个点精确到 50 位有效数字。",
        "ui.undecided_why": "在 −{farthest} 到 {farthest} 之间搜索，答案与导数 {d} = {expected}"
        " 只能在 {count} 个两者都是实数的点上比较（需要 {needed} 个）。",
        "ui.counterexample": "在 {point} 处，答案为 {answer}，而导数为 {expected}。",
        "ui.domain_expected": "两者在都有定义处相等；在 {point} 处答案无定义而导数有定义。",
        "ui.domain_answer": "两者在都有定义处相等；在 {point} 处导数无定义而答案有定义。",
        "ui.likely_mistake": "可能的错误：{what}",
        "ui.mistake_line": "d/d{var} {where} = {correct}，而不是 {wrong}",
        "mistake.chain_rule_missing_inner": "链式法则漏乘了内层函数的导数。",
        "mistake.sign": "符号错误。",
        "mistake.power_rule": "幂法则用错了。",
        "mistake.quotient_rule_order": "商的法则分子两项顺序颠倒（应为 f'g − fg'，再除以 g²）。",
        "mistake.constant_factor": "常数因子错误或遗漏。",
        "mistake.product_rule_missing_term": "乘积法则漏了一项（(fg)' = f'g + fg'）。",
        "mistake.product_of_derivatives": "把各因子的导数相乘了；(fg)' = f'g + fg'，不是 f'g'。",
        # issue 23: check grades what students hand in
        "mistake.quotient_rule_sign": "商的法则符号错误：分子两项之间应为 −，而不是 +"
        "（应为 f'g − fg'，再除以 g²）。",
        "mistake.integrated": "你求的是积分而不是导数：答案是 {function} 的一个原函数"
        "（它的导数是 {function}），不是导数。",
        "mistake.wrong_order": "这是 {order} 阶导数，不是 {asked} 阶导数。",
        "mistake.function_itself": "这是函数本身（0 阶导数），不是它的 {asked} 阶导数。",
        "mistake.constant_of_integration": "导数没有积分常数：{name} 属于原函数。",
        "mistake.restated": "答案只是重述了题目：{where} 是尚未求出的导数。",
        "mistake.wrong_variable": "答案用的是 {used}，但变量是 {var}。",
        "mistake.quotient_rule_denominator": "商的法则的分母是 g²，不是 g："
        "(f/g)' = (f'g − fg')/g²。",
        "mistake.quotient_of_derivatives": "把导数相除了：(f/g)' 是 (f'g − fg')/g²，不是 f'/g'。",
        "mistake.log_missing_inner": "(ln u)' = u'/u：漏乘了内层导数 u'（1/u 只是 ln x 的导数）。",
        "mistake.exp_missing_inner": "(e^u)' = e^u·u'：漏乘了内层导数 u'。",
        "mistake.exponential_missing_log": "(a^x)' = a^x·ln a：漏了因子 ln a。",
        "mistake.chain_rule_twice": "内层导数乘了两次：链式法则只乘一次。",
        "mistake.other_variable": "这是对 {used} 的导数，不是对 {var} 的导数。",
        "mistake.wrong_case": "答案把 {var} 写成了 {used}：字母区分大小写，{used} 是另一个变量。",
        "ui.mistake": "错误：{what}",
        "ui.without_constant": "去掉 {name} 后，答案等于导数 {d} = {expected}。",
        "ui.renamed_right": "改用 {var} 书写后，答案等于导数 {d} = {expected}。",
        "ui.renamed_wrong": "即使改用 {var} 书写，它也不是导数。",
        "ui.chain_holds": "链中的每个“=”都成立（共 {count} 个）。",
        "ui.chain_starts_right": "答案 {answer} 等于导数 {d} = {expected}，"
        "但链中的每个“=”都必须成立。",
        "ui.link_fails": "第 {n} 个“=”不成立：在 {point} 处，{left} 为 {left_value}，"
        "而 {right} 为 {right_value}。",
        "ui.link_undecided": "无法判定第 {n} 个“=”是否成立。",
        "ui.branch": "答案在 {holds} 处成立（曲线的一支，如 {holds_at}），在 {fails} 处不成立。",
        "ui.correct_derivation": "正确的求导过程",
        "ui.summary": "{total} 题中 {correct} 题正确",
        "ui.summary_rest": "{incorrect} 题错误，{undecided} 题无法判定，{errors} 行无法读取",
        "ui.verified": "每一步都已用 SymPy 验证。",
        "ui.not_verified": "未通过验证：第 {numbers} 步与 SymPy 不符。"
        "请勿采信此结果，并报告此问题。",
        "layers_read": "读作：{expr}，其中 {shapes}",
        "layers_scalar": "标量",
        "layers_forward": "前向传播（每层的结果各记一个名字）：",
        "layers_backward": "反向传播（δ_n = ∂{output}/∂n，与 n 的形状相同），按计算的先后顺序：",
        "layers_results": "结果：",
        "layers_shape_of": "{shape}，与 {var} 的形状相同（即 PyTorch 中 {var}.grad 的形状）",
        "layers_verified": "✓ 每一步都已在小尺寸（{sizes}）下与标量 SymPy 逐元素核对",
        "layers_not_verified": "✗ 未通过验证：在小尺寸（{sizes}）下有一步与标量 SymPy 不一致",
        "layers_at": "在 {point} 处：",
        "layers_values": "在该点处的值",
        "layers_col_quantity": "量",
        "layers_col_shape": "形状",
        "layers_one_hot": "当 t 的各元素之和为 1（如独热（one-hot）向量或概率分布）时，"
        "softmax(z)(𝟏ᵀt) − t 就是课本上写的 p − t。",
        "read_as_note": "读作：{note}",
        "layers_rule_linear_map": "线性映射",
        "layers_rule_sum": "和的法则",
        "layers_rule_constant_multiple": "常数倍法则",
        "layers_rule_scaling": "数乘",
        "layers_rule_hadamard": "哈达玛积（逐元素乘积）",
        "layers_rule_quotient": "逐元素除法",
        "layers_rule_power": "幂法则",
        "layers_rule_transpose": "转置",
        "layers_rule_elementwise": "逐元素函数",
        "layers_rule_dot": "内积",
        "layers_rule_quadratic_form": "二次型",
        "layers_rule_reduce_sum": "各元素求和",
        "layers_rule_mean": "各元素的平均值",
        "layers_rule_norm": "范数",
        "layers_rule_squared_norm": "范数的平方",
        "layers_rule_trace": "矩阵的迹",
        "layers_rule_determinant": "行列式",
        "layers_rule_log_det": "对数行列式",
        "layers_rule_inverse": "逆矩阵",
        "layers_rule_softmax": "softmax 函数",
        "layers_rule_log_softmax": "对数 softmax（log-softmax）",
        "layers_rule_logsumexp": "logsumexp（指数和的对数）",
        "layers_rule_diag": "对角矩阵（diag）",
        "layers_rule_multivariable_chain": "多元链式法则（每处使用各贡献一项）",
        "layers_jacobian_chain": "矩阵形式的链式法则（∂n/∂{var}：行对应 n 的元素，列对应 {var} "
        "的元素），每个雅可比矩阵等于局部雅可比矩阵乘以前一个，按前向传播的计算顺序：",
        "layers_jacobian_shape": "{shape}：行对应 {output} 的 {rows} 个元素，"
        "列对应 {var} 的 {cols} 个元素（雅可比矩阵的 (m, n)）",
        "layers_jacobian_column": "{shape}：{output} 的每个元素对 {var} 的导数",
        "layers_jacobian_row": "{shape}：一行，即 {output} 对 {var} 的梯度写成行向量（∇{output}ᵀ）",
        "layer_graph_title": "{title} 的计算图（节点存放数组）",
        "layer_graph_inputs": "输入：{shapes}",
        "layer_graph_forward": "前向传播（按计算顺序，每个节点的值）：",
        "layer_graph_backward": "反向传播（每个节点的梯度 ∂{output}/∂n，形状与节点相同），"
        "按反向传播的计算顺序：",
        "layer_graph_input": "输入",
        "layer_graph_op_affine": "仿射变换",
        "layer_graph_op_cross_entropy": "交叉熵",
    },
}


def _names(symbols, lang: str, show=str) -> tuple[str, str]:
    """'a and b', 'are' — or 'a、b' in Chinese."""
    words = CATALOG[lang]
    names = [show(s) for s in sorted(symbols, key=str)]
    if lang == "en" and len(names) > 1:
        text = ", ".join(names[:-1]) + f" {words['and']} " + names[-1]
    else:
        text = words["and"].join(names) if lang == "zh" else ", ".join(names)
    return text, words["are" if len(names) > 1 else "is"]


def language_from_environment(environ: Mapping[str, str]) -> str:
    """zh when the locale (LC_ALL, LC_MESSAGES, LANG, in that order) is Chinese, else en."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def check_language(lang: str) -> None:
    if lang not in CATALOG:
        raise ValueError(f"language must be one of {', '.join(CATALOG)}")


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
             "ninth", "tenth")  # fmt: skip


def ordinal(n: int, lang: str = "en") -> str:
    """second, 2 (the Chinese sentences say 第 2 个, 2 阶): the n-th, as a sentence says it."""
    check_language(lang)
    if lang != "en":
        return str(n)
    if 1 <= n <= len(_ORDINALS):
        return _ORDINALS[n - 1]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def word(key: str, lang: str = "en", **fields) -> str:
    """A heading or phrase of the user interface: word('ui.result', 'zh') == '结果'."""
    check_language(lang)
    return CATALOG[lang][key].format(**fields)


def note(key: str, derivation: S.Derivation, lang: str = "en", show=str) -> str:
    """A note beside a derivation: note('absent', d) == 'x does not appear in t^2, …'."""
    return word(f"note.{key}", lang, var=show(derivation.var), expr=show(derivation.expr))


def rule_name(step: S.Step, lang: str = "en") -> str:
    """The rule's name as a textbook heads it: 'Chain rule', '链式法则'."""
    return word(f"name.{step.rule}", lang)


class Equals(sympy.Basic):
    """a = b said in a sentence, printed as an equation by every printer (str's Eq(a, b) is
    not how a sentence says it)."""

    def _sympystr(self, printer) -> str:
        return f"{printer._print(self.args[0])} = {printer._print(self.args[1])}"

    def _latex(self, printer) -> str:
        return f"{printer._print(self.args[0])} = {printer._print(self.args[1])}"

    def _mathml_presentation(self, printer):
        row = printer.dom.createElement("mrow")
        equals = printer.dom.createElement("mo")
        equals.appendChild(printer.dom.createTextNode("="))
        for node in (printer._print(self.args[0]), equals, printer._print(self.args[1])):
            row.appendChild(node)
        return row


def _logarithmic(step: S.GeneralPowerStep) -> dict[str, sympy.Basic]:
    """The mathematics of logarithmic differentiation's sentence, as expressions (typeset in
    LaTeX and HTML, never as words): f = x, g = x, ln y = x·ln x, y'/y."""
    f, g, y = sympy.Symbol("f"), sympy.Symbol("g"), sympy.Symbol("y")
    with sympy.core.parameters.evaluate(False):
        return {
            "f_is": Equals(f, step.base),
            "g_is": Equals(g, step.exponent),
            "identity": Equals(sympy.log(y), sympy.Mul(step.exponent, sympy.log(step.base))),
            "left": sympy.Mul(sympy.Symbol("y'"), sympy.Pow(y, -1)),
        }


def sentence_case(text: str) -> str:
    """A sentence begun with a capital when it begins with a word ("The quotient rule …"),
    never when with mathematics (sin(x) …, b is …)."""
    word = text.split(" ", 1)[0]
    if len(word) > 1 and word.isalpha() and word.islower() and word.isascii():
        return text[:1].upper() + text[1:]
    return text


def colon(lang: str) -> str:
    """A label's colon: ": " in English, the full-width "：" in Chinese."""
    return "：" if lang == "zh" else ": "


def sentence(step: S.Step, lang: str = "en", show: Callable[[sympy.Basic], str] = str) -> str:
    """The one sentence that explains this step; `show` prints its expressions (SymPy text by
    default, as JSON wants; the terminal passes its Unicode printer). Only the expressions the
    sentence names are printed: a deep step's whole result is never printed for nothing."""
    check_language(lang)
    words = CATALOG[lang]
    key = step.rule
    if isinstance(step, S.ConstantStep) and step.expr.free_symbols:
        key = "constant_names"
    elif isinstance(step, S.ExponentialStep) and step.base == sympy.E:
        key = "exponential_e"
    elif isinstance(step, S.RewriteStep):
        key = "rewrite_sigmoid" if step.why == "sigmoid" else "rewrite"
    elif isinstance(step, S.ImplicitStep) and step.order > 1:
        key = "implicit_higher"
    template = words[key]
    needed = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    fields: dict[str, object] = {}
    for name in needed:
        if name in ("names", "verb"):
            if isinstance(step, S.ConstantMultipleStep) and not step.constant.free_symbols:
                fields["names"], fields["verb"] = show(step.constant), words["is"]
            else:
                symbols = getattr(step, "constant", step.expr).free_symbols
                fields["names"], fields["verb"] = _names(symbols, lang, show)
        elif name == "order":
            fields[name] = step.order
        elif name == "function":
            fields[name] = TEXTBOOK_NAMES.get(step.function, step.function)
        elif name == "u":
            fields[name] = show(step.intermediate)
        elif name == "dependent_prime":  # y′ as mathematics, not y and an apostrophe
            fields[name] = show(sympy.Symbol(str(step.dependent) + "'"))
        elif name in ("name", "name_prime"):  # an unknown function f: its derivative f'
            fields[name] = show(sympy.Symbol(step.function + ("'" if name == "name_prime" else "")))
        elif name in ("f_is", "g_is", "identity", "left"):
            fields[name] = show(_logarithmic(step)[name])
        else:
            fields[name] = show(getattr(step, name))
    return template.format(**fields).replace("  ", " ")
