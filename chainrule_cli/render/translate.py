"""Every error a user can cause, and the graph's operation names, in the user's language.

The core raises its errors in English (the JSON `error.message` is a contract and stays
English); `translate(message, "zh")` gives the Chinese sentence for the terminal. Each English
template is one regular expression over the whole message: its runtime parts (names,
expressions, numbers, columns) are named groups and come back as they are, inside the Chinese
sentence. A message no pattern matches comes back unchanged, in English: never lost.

    translate("unexpected ')'", "zh")                      -> "意外的 ')'"
    error_line(ParseError("unexpected ')'", column=7), "zh") -> "错误：第 7 列：意外的 ')'"
    ui_error("error: give EXPR, VAR and ANSWER (or - to read lines)", "zh")
    op_word("reciprocal", "zh")                              -> "倒数"
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = [
    "LANGUAGES",
    "OP_WORDS",
    "error_line",
    "op_word",
    "translate",
    "translate_parts",
    "ui_error",
]

LANGUAGES = ("en", "zh")

# ---- the graph's operation names --------------------------------------------------------------

# node.op is a key (JSON keeps it); a person reads the catalog's word. A function's own name
# (sin, tanh, sigmoid, erf, …) is not translated: it is how the formula writes it.
OP_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "input": "输入",
        "const": "常数",
        "neg": "取负",
        "add": "加",
        "sub": "减",
        "mul": "乘",
        "div": "除",
        "reciprocal": "倒数",
        "pow": "幂",
        "sqrt": "平方根",
        "exp": "指数",
        "log": "对数",
        "abs": "绝对值",
        "sign": "符号函数",
        "max": "最大值",
        "min": "最小值",
        "relu": "ReLU",
        "factorial": "阶乘",
        "floor": "向下取整",
        "ceiling": "向上取整",
        "heaviside": "阶跃函数",
        "piecewise": "分段函数",
        "derivative": "导数",
        "subs": "代入",
    },
}


def op_word(op: str, lang: str = "en") -> str:
    """The word a person reads for a graph operation: op_word('neg', 'zh') == '取负'; a key
    the catalog has no word for (a function's name) is shown as it is."""
    return OP_WORDS.get(lang, {}).get(op, op)


# ---- messages ---------------------------------------------------------------------------------

# Runtime parts that are themselves English phrases chosen from a few (a token that is the end
# of the input, what was found instead of an expression, …): translated by _PHRASES.
_PHRASED = frozenset({"tok", "what", "said", "doing", "want", "why", "hint", "names", "fix"})
# Runtime parts about vectors and matrices (issue 24), each kind with its own phrases: a shape as
# Shape.text() writes it (3, 1×3, 3×2, scalar), "W is 3×2" (arrays.describe), and the hint after a
# matrix product that does not fit.
_SHAPED = frozenset({"sa", "sb"})
_DESCRIBED = frozenset({"da", "db"})
_KINDS: dict[str, str] = {
    **{name: "phrase" for name in _PHRASED},
    **{name: "shape" for name in _SHAPED},
    **{name: "describe" for name in _DESCRIBED},
    "fits": "fits",
}

# (pattern over the whole phrase, Chinese) for the phrased parts.
_PHRASES_EN_ZH: list[tuple[str, str]] = [
    (r"end of input", "输入结尾"),
    (r"a list", "一个列表"),
    (r"a condition", "一个条件"),
    (r"complex infinity, as 1/0", "复无穷，如 1/0"),
    (r"NaN, as 0/0", "NaN，如 0/0"),
    (r"no single value, as sin ∞", "没有唯一的值，如 sin ∞"),
    (r"divide by", "除以它"),
    (r"apply (?P<name>.+) to", "对它应用 {name}"),
    (r"at least (?P<n>.+) arguments", "至少 {n} 个参数"),
    (r"(?P<lo>.+) to (?P<hi>.+) arguments?", "{lo} 到 {hi} 个参数"),
    (r"(?P<n>.+) arguments?", "{n} 个参数"),
    (r"; did you mean '(?P<close>.+)'\?", "；你是不是想写 '{close}'？"),
    (r"an unknown function has no code", "未知函数没有对应的代码"),
    (r"the derivative of an unknown function has no code", "未知函数的导数没有对应的代码"),
    (r"Python's math module has no complex numbers", "Python 的 math 模块不支持复数"),
    (r"Python's math module has no (?P<name>.+)", "Python 的 math 模块没有 {name}"),
    (r"none", "无"),
    (r"a vector of size (?P<n>.+)", "{n} 维向量"),
    (r"(?:an? )?(?P<s>.+) matrix", "{s} 矩阵"),
    (r"a derivative to take \(d/dx …\)", "一个待求的导数（d/dx …）"),
    (r"a definition", "一个定义"),
    (r"an equation", "一个方程"),
    (r"Euler's number e", "欧拉数 e"),
    (r"the imaginary unit i", "虚数单位 i"),
    (r"the number π", "数 π"),
    (
        r"; '(?P<name>.+)' is one name: for a product write (?P<a>.+) or (?P<b>.+)",
        "；'{name}' 是一个名称：乘积请写成 {a} 或 {b}",
    ),
]

# The shapes of issue 24's messages: 3 is a (column) vector of size 3, 1×3 a row, 3×2 a matrix.
_SHAPES_EN_ZH: list[tuple[str, str]] = [
    (r"scalar", "标量"),
    (r"1×(?P<n>[^×]+)", "1×{n} 行向量"),
    (r"(?P<m>[^×]+)×(?P<n>[^×]+)", "{m}×{n} 矩阵"),
    (r"(?P<n>[^×\s]+)", "{n} 维向量"),
]

# "W is 3×2": a node and its shape (arrays.describe); anything else is kept as it is.
_DESCRIBE_EN_ZH: list[tuple[str, str]] = [
    (r"(?P<dn>.+?) is (?P<sa>[^,;:]+)", "{dn} 是 {sa}"),
]

# The hint after a matrix product that does not fit.
_FITS_EN_ZH: list[tuple[str, str]] = [
    (
        r"; for the inner product write (?P<a>.+) or (?P<b>.+), for the product entry by entry"
        r" (?P<c>.+)",
        "；内积请写成 {a} 或 {b}，逐元素相乘请写成 {c}",
    ),
    (r"; (?P<fit>.+) fits", "；{fit} 的形状才相容"),
]

# (pattern over the whole English message, Chinese template): the most specific first.
_MESSAGES_EN_ZH: list[tuple[str, str],] = [
    # issue 24: vectors and matrices (--shape): arrays.py, parse/arrays.py, parse/question.py,
    # parse/inputs.py, calculus/layers.py, calculus/expand.py, calculus/layer_jacobian.py,
    # render/arrays_code.py, api.py
    # -- shapes that do not fit (arrays.py)
    (
        r"cannot add: (?P<da>.+? is [^,;:]+?) and (?P<db>.+ is [^,;:]+)",
        "形状不同，无法相加：{da}，{db}",
    ),
    (
        r"(?P<an>.+?) is (?P<sa>[^,;:]+), so (?P<prod>.+?) needs (?P<bn>.+?) of size"
        r" (?P<k>.+?); (?P<bn2>.+?) is (?P<sb>[^,;:]+?)(?P<fits>;.*)?",
        "{an} 是 {sa}，所以 {prod} 要求 {bn} 的长度为 {k}；{bn2} 却是 {sb}{fits}",
    ),
    (
        r"(?P<an>.+?) is (?P<sa>[^,;:]+), so (?P<prod>.+?) needs (?P<bn>.+?) of (?P<k>.+?)"
        r" rows; (?P<bn2>.+?) is (?P<sb>[^,;:]+?)(?P<fits>;.*)?",
        "{an} 是 {sa}，所以 {prod} 要求 {bn} 有 {k} 行；{bn2} 却是 {sb}{fits}",
    ),
    (
        r"a ⊙ b needs two arrays of one shape: (?P<da>.+? is [^,;:]+), (?P<db>.+)",
        "a ⊙ b（逐元素乘积）要求两个数组的形状相同：{da}，{db}",
    ),
    (
        r"a / b divides entry by entry: (?P<da>.+? is [^,;:]+), (?P<db>.+)",
        "a / b 是逐元素相除，除数须是标量或与被除数形状相同：{da}，{db}",
    ),
    (r"an inverse needs a square matrix; (?P<da>.+)", "只有方阵才有逆矩阵；{da}"),
    (r"det needs a square matrix; (?P<da>.+)", "只有方阵才有行列式；{da}"),
    (r"log det needs a square matrix; (?P<da>.+)", "只有方阵才能取对数行列式；{da}"),
    (r"trace needs a square matrix; (?P<da>.+)", "只有方阵才有迹；{da}"),
    (
        r"(?P<op>diag) needs a vector or a square matrix; (?P<da>.+)",
        "{op} 的参数须是向量或方阵；{da}",
    ),
    (r"(?P<op>\w+) needs a vector; (?P<da>.+)", "{op} 的参数须是向量；{da}"),
    (
        r"(?P<op>dot) needs two vectors of one length: (?P<da>.+? is [^,;:]+), (?P<db>.+)",
        "{op} 要求两个长度相同的向量：{da}，{db}",
    ),
    # -- --shape (parse/question.py, arrays.parse_shape)
    (
        r"--shape takes (?P<form>NAME=SIZE) \((?P<a>.+), (?P<b>.+)\), not (?P<spec>.*)",
        "--shape 的写法是 {form}（如 {a}、{b}），不是 {spec}",
    ),
    (r"--shape (?P<spec>.+?): (?P<name>.+) is not a name", "--shape {spec}：{name} 不是合法的名称"),
    (r"--shape gives (?P<name>.+) twice", "--shape 给出了两次 {name} 的形状"),
    (
        r"--shape (?P<spec>.+?): (?P<name>.+) is a function or a constant, not a name",
        "--shape {spec}：{name} 是函数或常数，不能用作数组的名称",
    ),
    (
        r"--shape (?P<spec>.+?): a shape is (?P<n>.+) \(a column vector\), (?P<mn>.+) \(a"
        r" matrix\) or (?P<row>.+) \(a row\), not (?P<text>.*)",
        "--shape {spec}：形状应写成 {n}（列向量）、{mn}（矩阵）或 {row}（行向量），而不是 {text}",
    ),
    (
        r"--shape (?P<spec>.+?): a size of (?P<n>.+) is over the limit of (?P<limit>.+)",
        "--shape {spec}：尺寸 {n} 超过了上限 {limit}",
    ),
    (
        r"--shape (?P<spec>.+?): (?P<name>.+) does not occur in the expression",
        "--shape {spec}：表达式中没有出现 {name}",
    ),
    (r"--shape (?P<spec>.+?): (?P<said>.+)", "--shape {spec} 有误：{said}"),
    (
        r"(?P<name>.+) has a shape, so it cannot name the value",
        "{name} 已由 --shape 给出形状（是数组），不能再用来给结果命名",
    ),
    (
        r"several variables \((?P<names>.+)\): give the one to differentiate by, as in:"
        r" (?P<how>chainrule diff .+)",
        "有多个变量（{names}）：请给出对哪一个求导，如：{how}",
    ),
    (
        r"(?P<var>.+) is not a variable of the expression \(it has (?P<names>.*)\)",
        "{var} 不是表达式中的变量（表达式的变量：{names}）",
    ),
    (r"(?P<var>.+) is not a variable of the expression", "{var} 不是表达式中的变量"),
    (
        r"with --shape, --order, --let and --dependent are not taken",
        "使用 --shape 时不能再用 --order、--let 或 --dependent",
    ),
    (r"with --shape, --let is not taken", "使用 --shape 时不能再用 --let"),
    # -- reading with --shape (parse/arrays.py, parse/parser.py)
    (r"nesting deeper than (?P<n>\S+) levels", "嵌套超过 {n} 层"),
    (
        r"with --shape, give the expression alone \(not a definition or an equation\)",
        "使用 --shape 时只写表达式本身（不要写成定义或方程）",
    ),
    (
        r"cannot divide by (?P<da>(?P<dn>.+?) is [^,;:]+): division is entry by entry \(by a"
        r" scalar or an array of the same shape\); for an inverse write (?P<inv>.+)",
        "不能除以 {dn}（{da}）：除法是逐元素的（只能除以标量或同形状的数组）；逆矩阵请写成 {inv}",
    ),
    (
        r"cannot divide by (?P<dn>.+?): division is entry by entry \(by a scalar or an array of"
        r" the same shape\); for an inverse write (?P<inv>.+)",
        "不能除以 {dn}：除法是逐元素的（只能除以标量或同形状的数组）；逆矩阵请写成 {inv}",
    ),
    (
        r"an exponent here must be a number \(or T for a transpose\)",
        "这里的指数必须是一个数（或用 T 表示转置）",
    ),
    (
        r"(?P<w>.+)\^2 of a vector: write (?P<a>.+) or (?P<b>.+) for the squared length, or"
        r" (?P<c>.+) entry by entry",
        "{w} 是向量，{w}^2 没有定义：长度的平方请写成 {a} 或 {b}，逐元素的平方请写成 {c}",
    ),
    (
        r"a power of (?P<da>.+): write it entry by entry with (?P<h>\w+), or as a product of"
        r" matrices",
        "不能直接求幂（{da}）：逐元素的幂请用 {h} 写出，矩阵的幂请写成矩阵乘积",
    ),
    (
        r"\|…\| of (?P<da>.+): write (?P<a>.+) or (?P<b>.+) for its length, or (?P<c>.+) entry"
        r" by entry",
        "|…| 不能用于数组（{da}）：长度（范数）请写成 {a} 或 {b}，逐元素的绝对值请写成 {c}",
    ),
    (
        r"unknown function (?P<name>.+?) \(with --shape: a name with a shape is an array;"
        r" (?P<call>.+) is not a function chainrule knows\)",
        "未知的函数 {name}（使用 --shape 时，给出形状的名称是数组；"
        "{call} 不是 chainrule 认识的函数）",
    ),
    (
        r"A \\ b \(MATLAB's left division\) is not read; write inv\(A\)\*b",
        "A \\ b（MATLAB 的左除）不能读取；请写成 inv(A)*b",
    ),
    (
        r"the size of I cannot be told from what it meets here: write eye\(n\) \(or eye\(3\)\),"
        r" or give it a shape with --shape I=nxn",
        "从 I 所遇到的运算看不出它的大小：请写成 eye(n)（或 eye(3)），或用 --shape I=nxn 给出形状",
    ),
    (
        r"I is a square matrix, so it cannot be added to (?P<a>.+) \((?P<da>.+)\)",
        "I 是方阵，不能与 {a} 相加（{da}）",
    ),
    (
        r"‖X‖_2 of a matrix \(its largest singular value\) is not read; ‖X‖_F or norm\(X\) is"
        r" the Frobenius norm",
        "矩阵的 ‖X‖_2（最大奇异值）不能读取；‖X‖_F 或 norm(X) 是 Frobenius 范数",
    ),
    (
        r"the 1-norm ‖…‖_1 is not read as a norm; write sum\(abs\(…\)\)",
        "1-范数 ‖…‖_1 不能作为范数读取；请写成 sum(abs(…))",
    ),
    (
        r"the norm ‖…‖_(?P<sub>.+?) is not read; chainrule's norm is the 2-norm \(‖w‖_2,"
        r" norm\(w\)\) and, of a matrix, the Frobenius norm \(‖X‖_F\)",
        "范数 ‖…‖_{sub} 不能读取；chainrule 的范数是 2-范数（‖w‖_2、norm(w)），"
        "矩阵则是 Frobenius 范数（‖X‖_F）",
    ),
    (
        r"'(?P<sub>.+?)' is a subscript with nothing to name: write it on a name \(x_1\), and a"
        r" norm as norm\(…\) or ‖…‖ \(with --shape\)",
        "'{sub}' 是没有名称可附着的下标：请把它写在名称上（x_1），"
        "范数请写成 norm(…) 或 ‖…‖（配合 --shape）",
    ),
    (
        r"'(?P<sub>.+?)' is a subscript with nothing to name: write it on a name \(x_1\), and a"
        r" norm as norm\(…\) or ‖…‖",
        "'{sub}' 是没有名称可附着的下标：请把它写在名称上（x_1），范数请写成 norm(…) 或 ‖…‖",
    ),
    (
        r"(?P<fn>\w+)\(…\) takes a size, and (?P<a>.+?) is an array here \(its --shape\);"
        r" write the size itself \((?P<eg>.+)\)",
        "{fn}(…) 接受的是大小，而 {a} 在这里是数组（有 --shape）；请直接写出大小（{eg}）",
    ),
    (
        r"a number has no transpose: for the row of ones write ones\(n\)\^T \(ones\(n\)\^T\*x"
        r" is sum\(x\)\)",
        "数没有转置：全 1 行向量请写成 ones(n)^T（ones(n)^T*x 即 sum(x)）",
    ),
    (
        r"(?P<a>\S+)\^T: (?P<b>\S+) has no shape, so it is a scalar; give it one with"
        r" --shape (?P<c>\S+)=n",
        "{a}^T：{b} 没有形状，所以是标量；请用 --shape {c}=n 给出形状",
    ),
    (
        r"eye takes one size \(eye\(3\), eye\(n\)\), not (?P<spec>.+)",
        "eye(…) 只接受一个大小（eye(3)、eye(n)），不能是 {spec}",
    ),
    (
        r"ones takes a shape \(ones\(3\), ones\(n\), ones\(1xn\), ones\(mxn\)\), not"
        r" (?P<spec>.+)",
        "ones(…) 接受一个形状（ones(3)、ones(n)、ones(1xn)、ones(mxn)），不能是 {spec}",
    ),
    (
        r"\\prod over an index is not read; write its factors out \(x_1 x_2 x_3\)",
        "带指标的 \\prod 不能读取；请把各因子写出来（x_1 x_2 x_3）",
    ),
    (
        r"(?P<name>\S+): a sum over an index is not read; write its terms out"
        r" \(x_1 \+ x_2 \+ x_3\), or with --shape, sum\(x\) for the sum of a vector's entries",
        "{name}：带指标的求和不能读取；请把各项写出来（x_1 + x_2 + x_3），"
        "或配合 --shape 用 sum(x) 表示向量各分量之和",
    ),
    (
        r"\\sum over an index is not read; write its terms out"
        r" \(x_1 \+ x_2 \+ x_3\), or with --shape, sum\(x\) for the sum of a vector's entries",
        "带指标的 \\sum 不能读取；请把各项写出来（x_1 + x_2 + x_3），"
        "或配合 --shape 用 sum(x) 表示向量各分量之和",
    ),
    (
        r"(?P<fn>.+) with a base is not read entry by entry; write (?P<fix>.+)",
        "带底数的 {fn} 不能逐元素计算；请写成 {fix}",
    ),
    (
        r"(?P<fn>.+?) takes (?P<k>\S+) argument\w*, not (?P<count>.+)",
        "{fn} 需要 {k} 个参数，却给了 {count} 个",
    ),
    (
        r"(?P<name>.+) works on vectors and matrices: give their shapes with --shape"
        r" \(e\.g\. (?P<eg>.+)\)",
        "{name} 作用于向量和矩阵：请用 --shape 给出它们的形状（例如 {eg}）",
    ),
    (
        r"unexpected (?P<tok>.+): vectors and matrices need --shape \(e\.g\. (?P<eg>.+)\)",
        "意外的 {tok}：向量和矩阵需要用 --shape 给出形状（例如 {eg}）",
    ),
    # -- --at with arrays (parse/inputs.py, calculus/expand.py)
    (
        r"--at (?P<name>.+?): brackets do not match in (?P<value>.+)",
        "--at {name}：{value} 中的方括号不配对",
    ),
    (r"--at (?P<name>.+?): an empty list", "--at {name}：列表是空的"),
    (
        r"--at (?P<name>.+?): a matrix is a list of rows of numbers",
        "--at {name}：矩阵要按行写成列表，每行是一列数（如 [[1,2],[3,4]]）",
    ),
    (r"--at (?P<name>.+?): the rows have different lengths", "--at {name}：各行的长度不一样"),
    (r"--at (?P<name>.+?): mixes numbers and lists", "--at {name}：数和列表混在了一起"),
    (
        r"--at (?P<name>.+?): the size (?P<size>.+) is (?P<a>.+) elsewhere, (?P<b>.+) here",
        "--at {name}：尺寸 {size} 在别处是 {a}，这里却是 {b}",
    ),
    (
        r"--at (?P<name>.+?): (?P<n2>.+) is (?P<sa>[^,;:]+), the value given is (?P<sb>.+)",
        "--at {name}：{n2} 是 {sa}，给出的值却是 {sb}",
    ),
    # -- working it out (calculus/layers.py, calculus/layer_jacobian.py)
    (
        r"the expression is (?P<what>.+), not a scalar: backpropagation needs a scalar \(a"
        r" loss\); the derivative of a vector is its Jacobian \((?P<cmd>.+)\)",
        "表达式是 {what}，不是标量：反向传播需要一个标量（损失函数）；"
        "向量的导数是它的雅可比矩阵（用 {cmd}）",
    ),
    (
        r"the expression is (?:an? )?(?P<s>.+) matrix: its derivative would be a 3- or 4-index"
        r" array; chainrule gives the gradient of a scalar \(e\.g\. of (?P<a>.+), (?P<b>.+) or"
        r" (?P<c>.+)\) and the Jacobian of a vector",
        "表达式是 {s} 矩阵：它的导数将是三阶或四阶张量；chainrule 求的是标量的梯度"
        "（例如 {a}、{b} 或 {c} 的梯度）和向量的雅可比矩阵",
    ),
    (
        r"(?P<x>.+) is (?:an? )?(?P<s>.+) matrix: the Jacobian of a vector by a matrix is a 3-index"
        r" array; differentiate a scalar of (?P<x2>.+) instead \(e\.g\. (?P<eg>.+)\), whose"
        r" gradient has (?P<x3>.+)'s shape",
        "{x} 是 {s} 矩阵：向量对矩阵的雅可比矩阵是三阶张量；请改为对 {x2} 的某个标量函数"
        "（例如 {eg}）求导，它的梯度与 {x3} 形状相同",
    ),
    (
        r"(?P<node>.+) is (?:an? )?(?P<s>.+) matrix that depends on (?P<x>.+): its Jacobian"
        r" would be a 3-index array; chainrule chains Jacobians of vectors",
        "{node} 是依赖于 {x} 的 {s} 矩阵：它的雅可比矩阵将是三阶张量；"
        "chainrule 只连乘向量的雅可比矩阵",
    ),
    (
        r"(?P<d>∂\(.+\)/∂\(.+\)) would be a 3-index array; chainrule chains Jacobians of"
        r" vectors",
        "{d} 将是三阶张量；chainrule 只连乘向量的雅可比矩阵",
    ),
    (
        r"(?P<var>.+?) (?:does|do|x) not occur in the expression",
        "表达式中没有出现 {var}",
    ),
    # -- code for arrays (render/arrays_code.py)
    (
        r"--format (?P<a>\S+) and --format (?P<b>\S+) need a scalar's gradient",
        "--format {a} 和 --format {b} 只能写出标量的梯度",
    ),
    (
        r"--format (?P<fmt>\S+) cannot compute (?P<expr>.+?): (?P<lib>NumPy|jax\.numpy|x) has no"
        r" (?P<name>.+)",
        "--format {fmt} 无法计算 {expr}：{lib} 中没有 {name}",
    ),
    (
        r"--format (?P<fmt>\S+) cannot compute a (?P<kind>\S+)",
        "--format {fmt} 无法计算 {kind} 节点",
    ),
    (
        r"--format (?P<fmt>\S+) needs inputs named as Python names: (?P<name>.+)",
        "--format {fmt} 要求输入的名称是合法的 Python 名称：{name}",
    ),
    (
        r"--format (?P<fmt>\S+): an input named (?P<name>.+) would hide Python's or the code's"
        r" own (?P<same>.+); rename it",
        "--format {fmt}：名为 {name} 的输入会遮蔽 Python 或生成代码自己的 {same}；请改名",
    ),
    (
        r"'(?P<w>e\^.+)' is ambiguous: write (?P<a>.+) for the exponential, or (?P<b>.+) for the"
        r" product",
        "'{w}' 有歧义：指数函数请写成 {a}，乘积请写成 {b}",
    ),
    (
        r"a tangent needs its point: --at x=VALUE \(and y=VALUE on a curve\)",
        "切线需要一个点：--at x=VALUE（曲线上还要 y=VALUE）",
    ),
    (
        r"the function has no real value at (?P<point>.+)",
        "函数在 {point} 处没有实数值",
    ),
    (
        r"the function has no value at (?P<point>.+)",
        "函数在 {point} 处没有值",
    ),
    (r"cannot evaluate (?P<expr>.+) numerically", "无法数值计算 {expr}"),
    (
        r"--range takes A:B \(e\.g\. -2:3 or -pi:pi\), not '(?P<text>.*)'",
        "--range 的写法是 A:B（例如 -2:3 或 -pi:pi），不是 '{text}'",
    ),
    (
        r"--range A:B needs A below B, not (?P<a>.+) and (?P<b>.+)",
        "--range A:B 需要 A 小于 B，而不是 {a} 和 {b}",
    ),
    (
        r"the curve (?P<curve>.+) has no real point where (?P<xs>.+) and (?P<ys>.+)",
        "曲线 {curve} 在 {xs}、{ys} 的范围内没有实数点",
    ),
    # issue 23: the parser's refusals
    (
        r"'(?P<name>.+)' is one name, so it is not (?P<head>.+) times (?P<fn>.+): write (?P<a>.+)"
        r" or (?P<b>.+)",
        "'{name}' 是一个名称，不是 {head} 乘以 {fn}：请写成 {a} 或 {b}",
    ),
    (
        r"'\^(?P<p>.+)/(?P<n>.+)' reads as the power (?P<p2>.+), then divided by (?P<n2>.+): write"
        r" (?P<a>.+) for the power (?P<f>.+), or (?P<b>.+)",
        "'^{p}/{n}' 会被读作 {p2} 次幂再除以 {n2}：幂 {f} 请写成 {a}，否则写成 {b}",
    ),
    (
        r"'(?P<w>.+)' reads as (?P<a>.+), not the mixed number: write (?P<b>.+) for it, or"
        r" (?P<c>.+) for the product",
        "'{w}' 会被读作 {a}，而不是带分数：带分数请写成 {b}，乘积请写成 {c}",
    ),
    (
        r"I is the imaginary unit i here, so I\^2 is −1: a quantity named I \(a current\) needs"
        r" another name, as I_0",
        "这里的 I 是虚数单位 i，所以 I^2 等于 −1：名为 I 的量（如电流）请换个名字，例如 I_0",
    ),
    (
        r"'(?P<name>.+)' is a LaTeX command written without its backslash: write (?P<fix>.+)",
        "'{name}' 是少了反斜杠的 LaTeX 命令：请写成 {fix}",
    ),
    (
        r"'(?P<name>.+)' is not a name chainrule knows \(names are case-sensitive\): write"
        r" (?P<fix>.+)",
        "chainrule 不认识名称 '{name}'（名称区分大小写）：请写成 {fix}",
    ),
    (
        r"'(?P<name>.+)' is the names (?P<names>.+) run together: write (?P<fix>.+)",
        "'{name}' 是几个函数名 {names} 连写在一起：请写成 {fix}",
    ),
    (
        r"'(?P<name>.+)' is one name: for (?P<fn>.+) of (?P<n>.+) write (?P<fix>.+)",
        "'{name}' 是一个名称：{n} 的 {fn} 请写成 {fix}",
    ),
    (
        r"d/d(?P<var>.+): the variable after d/d is one letter \(or a Greek letter's name\):"
        r" write (?P<fix>.+)",
        "d/d{var}：d/d 后面的变量是一个字母（或希腊字母名）：请写成 {fix}",
    ),
    (
        r"write (?P<fix>.+) for the derivative of order (?P<n>.+)",
        "{n} 阶导数请写成 {fix}",
    ),
    (
        r"'(?P<w>.+)' is a word, not part of an expression: write d/dx followed by the"
        r" expression \(d/dx x\^2\), or the expression alone",
        "'{w}' 是一个词，不是表达式的一部分：请写 d/dx 再接表达式（d/dx x^2），或只写表达式",
    ),
    (
        r"(?P<name>.+) is (?P<what>.+) here, so '(?P<left>.+) = …' defines nothing: name the"
        r" value otherwise, as (?P<a>.+) = … or (?P<b>.+) = …",
        "这里的 {name} 是{what}，所以 '{left} = …' 什么也没有定义：请给这个值换个名字，"
        "如 {a} = … 或 {b} = …",
    ),
    (
        r"'(?P<w>.+\^.+)' is ambiguous: write (?P<a>.+) for the power, or (?P<b>.+) for the"
        r" product",
        "'{w}' 有歧义：幂请写成 {a}，乘积请写成 {b}",
    ),
    (
        r"'(?P<w>.+)\^' reads as the name (?P<name>.+) raised to a power: write (?P<a>.+) or"
        r" (?P<b>.+) for (?P<c>.+), or (?P<d>.+) for a power of (?P<n2>.+)",
        "'{w}^' 会被读作名称 {name} 的幂：{c} 请写成 {a} 或 {b}；{n2} 的幂请写成 {d}",
    ),
    (
        r"'(?P<written>.+)' has a comma between its digits: write (?P<fixed>.+)"
        r" \(no thousands separator\)",
        "'{written}' 的数字之间有逗号：请写成 {fixed}（不要用千位分隔符）",
    ),
    (
        r"'(?P<name>.+?)' is not a known function: declare it with --function (?P<declared>.+?),"
        r" or write (?P<product>.+) for a product(?P<hint>.*)",
        "'{name}' 不是已知的函数：请用 --function {declared} 声明它，乘积请写成 {product}{hint}",
    ),
    (
        r"(?P<written>.+)\^T reads as a transpose: vectors and matrices need --shape"
        r" \(e\.g\. --shape (?P<shape>.+)\); for a power of a variable T write (?P<power>.+)",
        "{written}^T 会被读作转置：向量和矩阵需要 --shape（例如 --shape {shape}）；"
        "若是变量 T 的幂，请写成 {power}",
    ),
    (
        r"'(?P<written>.+)\(…\)': the order of a derivative is a number, as in"
        r" (?P<example>.+); for a power, write (?P<power>.+)",
        "'{written}(…)'：导数的阶数必须是一个数，如 {example}；幂请写成 {power}",
    ),
    (
        r"nothing may follow (?P<written>.+): write (?P<op>.+) \(…\) with everything to"
        r" differentiate in the brackets",
        "{written} 之后不能再有内容：请写成 {op} (…)，把要求导的全部内容放进括号",
    ),
    (
        r"(?P<written>.+) is the derivative to take: write it alone, without '= …'",
        "{written} 就是要求的导数：请单独写出它，不要加 '= …'",
    ),
    (
        r"a mixed derivative \(by two variables at once\) is not read here: differentiate by one"
        r" variable at a time, as in d/dx",
        "这里不读混合导数（同时对两个变量求导）：请一次只对一个变量求导，如 d/dx",
    ),
    (
        r"(?P<name>.+) alone has nothing to differentiate: write (?P<op>.+) followed by the"
        r" expression \(or (?P<answer>.+) = … for an answer\)",
        "只有 {name}，没有可以求导的对象：请写 {op}，后面接表达式（答案请写成 {answer} = …）",
    ),
    # -- the lexer (parse/lexer.py)
    (
        r"'(?P<written>.+)' would read as a product with e; write (?P<fixed>.+)",
        "'{written}' 会被读作与 e 的乘积；请写成 {fixed}",
    ),
    (r"malformed superscript (?P<sup>.+)", "上标 {sup} 的写法有误"),
    (
        r"unexpected character '\ufffd' \(the input has bytes that are not UTF-8 text\)",
        "意外的字符 '\ufffd'（输入中有不是 UTF-8 文本的字节）",
    ),
    (r"unexpected character (?P<ch>.+)", "意外的字符 {ch}"),
    (r"a backslash must start a command", "反斜杠后面必须是一个命令"),
    (r"expected \{name\} after (?P<cmd>.+)", "{cmd} 之后应为 {{名称}}"),
    (r"unknown LaTeX command (?P<cmd>.+)", "未知的 LaTeX 命令 {cmd}"),
    # -- reading (parse/__init__.py, parse/inputs.py)
    (
        r"input is (?P<n>.+) characters long; the limit is (?P<limit>.+)",
        "输入长 {n} 个字符；上限是 {limit}",
    ),
    (r"empty input, expected an expression", "输入为空，应为一个表达式"),
    (r"expected an expression, found (?P<what>.+)", "应为一个表达式，却是{what}"),
    # -- the parser (parse/parser.py)
    (r"unexpected end of input, expected an expression", "输入意外结束，应为一个表达式"),
    (r"unexpected (?P<tok>.+) \(no matching opener\)", "意外的 {tok}（前面没有与之配对的左括号）"),
    (r"unexpected (?P<tok>.+)", "意外的 {tok}"),
    (
        r"'(?P<opener>.+)' is never closed \(expected '(?P<closer>.+)'\)",
        "'{opener}' 没有闭合（缺少 '{closer}'）",
    ),
    (r"expected '(?P<closer>.+)' but found (?P<tok>.+)", "应为 '{closer}'，却遇到 {tok}"),
    (
        r"nesting deeper than (?P<n>.+) levels \(raise the limit with --max-depth\)",
        "嵌套超过 {n} 层（可用 --max-depth 提高上限）",
    ),
    (r"this is undefined \((?P<said>.+)\)", "这没有定义（{said}）"),
    (
        r"cannot apply (?P<name>.+) to these arguments \((?P<exc>.*)\)",
        "无法对这些参数应用 {name}（{exc}）",
    ),
    (
        r"cannot (?P<doing>.+) a number of more than (?P<n>.+) digits"
        r" \(raise the limit with --max-digits\)",
        "无法{doing}：这个数超过 {n} 位（可用 --max-digits 提高上限）",
    ),
    (r"a list cannot be used in arithmetic", "列表不能参与算术运算"),
    (
        r"a condition \(=, <, &, …\) cannot be used in arithmetic",
        "条件（=、<、& 等）不能参与算术运算",
    ),
    (r"two numbers in a row: (?P<tok>.+)", "两个数连在一起：{tok}"),
    (r"this product of powers of a number is astronomically large", "这个数的幂之积大得惊人"),
    (
        r"this power of a number has more than (?P<n>.+) digits \(raise the limit with"
        r" --max-digits\), or write it as a tower \(10\^10\^10\) to keep it symbolic",
        "这个数的幂超过 {n} 位（可用 --max-digits 提高上限），或写成幂塔（10^10^10）以保持符号形式",
    ),
    (r"empty (?P<pair>.+)", "空的 {pair}"),
    (r"(?P<fn>.+) needs an argument", "{fn} 需要一个参数"),
    (r"expected '\{' after (?P<command>.+)", "{command} 之后应为 '{{'"),
    (r"number (?P<text>.+)… is too long", "数 {text}… 太长"),
    (r"'(?P<name>.+)' is a reserved word, not a name", "'{name}' 是保留字，不能用作名称"),
    (
        r"unknown function '(?P<name>.+?)'(?P<hint>.*?)"
        r" \(write (?P<product>.+) for a product, or declare it as a function\)",
        "未知的函数 '{name}'{hint}（乘积请写成 {product}，或把它声明为函数）",
    ),
    (r"Derivative takes an expression and variables", "Derivative 需要一个表达式和若干变量"),
    (
        r"Subs takes 3 arguments: expression, variables, points",
        "Subs 需要 3 个参数：表达式、变量、取值点",
    ),
    (r"Piecewise takes \(expression, condition\) pairs", "Piecewise 需要（表达式, 条件）对"),
    (r"Piecewise needs at least one piece", "Piecewise 至少需要一段"),
    (r"(?P<fn>.+) takes (?P<want>.+), got (?P<count>.+)", "{fn} 需要{want}，却给了 {count} 个"),
    (r"(?P<fn>.+) needs an expression, not (?P<arg>.+)", "{fn} 需要一个表达式，而不是 {arg}"),
    (r"(?P<fn>.+) needs parentheses: (?P<call>.+)", "{fn} 需要括号：{call}"),
    (r"invalid (?P<name>.+?): (?P<exc>.*)", "无效的 {name}：{exc}"),
    (
        r"a prime \('\) goes after a function's name, as in f'\(x\)",
        "撇号（'）应写在函数名之后，如 f'(x)",
    ),
    (
        r"(?P<written>.+) is not read as a derivative: a prime \('\) goes after an unknown"
        r" function's name, as in f'\(x\)",
        "{written} 不会被读作导数：撇号（'）应写在未知函数名之后，如 f'(x)",
    ),
    (r"write the primes together, as in f''\(x\)", "撇号要连在一起写，如 f''(x)"),
    (
        r"(?P<name>.+) is a function here \((?P<primed>.+)\): write (?P<call>.+)",
        "{name} 在这里是函数（{primed}）：请写 {call}",
    ),
    (
        r"'(?P<name>.+)' is ambiguous: write (?P<power>.+) for a power, or (?P<derivative>.+)"
        r" for a derivative",
        "'{name}' 有歧义：幂请写成 {power}，导数请写成 {derivative}",
    ),
    (
        r"'(?P<name>.+)' is ambiguous: put the argument of (?P<fn>.+) in parentheses, as in"
        r" (?P<call>.+)",
        "'{name}' 有歧义：请把 {fn} 的参数放进括号，如 {call}",
    ),
    (
        r"'(?P<name>.+)' is ambiguous here: write (?P<a>.+) or (?P<b>.+)",
        "'{name}' 在这里有歧义：请写成 {a} 或 {b}",
    ),
    (
        r"'(?P<name>.+)' is ambiguous: write (?P<a>.+) or (?P<b>.+)",
        "'{name}' 有歧义：请写成 {a} 或 {b}",
    ),
    (
        r"(?P<call>.+) needs one argument: for a function of several variables, write"
        r" Derivative\((?P<inner>.+), variable\)",
        "{call} 只能有一个参数：多元函数请写 Derivative({inner}, 变量)",
    ),
    (
        r"(?P<written>.+) needs its variable: write (?P<a>.+) or (?P<b>.+)",
        "{written} 需要写出它的变量：请写成 {a} 或 {b}",
    ),
    (r"the order of a derivative is 1, 2, 3, …", "导数的阶数是 1, 2, 3, …"),
    # -- reading a line: d/dx …, y' = …, equations (parse/reading.py)
    (
        r"the orders differ: (?P<top>.+) above, (?P<bottom>.+) below",
        "阶数不一致：上面是 {top}，下面是 {bottom}",
    ),
    (r"a derivative is taken of an expression", "只能对表达式求导"),
    (
        r"the name '(?P<name>.*)' is not one chainrule reads: a name is letters, digits and _"
        r" \(as (?P<examples>x, w_1, alpha)\), nothing that is not printable and none of"
        r" (?P<chars>.+)",
        "chainrule 不读名字 '{name}'：名字由字母、数字和 _ 组成（如 {examples}），"
        "不能含不可打印的字符，也不能含 {chars}",
    ),
    (
        r"the number (?P<number>.+) has more than (?P<limit>\S+) digits \(raise the limit with"
        r" --max-digits\)",
        "数 {number} 超过 {limit} 位（可用 --max-digits 提高上限）",
    ),
    (
        r"a prime after an exponent is the exponent's own: write (?P<power>.+)' for the"
        r" derivative of the power",
        "指数后面的撇号属于指数本身：幂的导数请写成 {power}'",
    ),
    (
        r"inside an expression, d/d(?P<var>\S+) takes brackets: d/d(?P=var) \(…\)",
        "在表达式中，d/d{var} 后面要加括号：d/d{var} (…)",
    ),
    (
        r"--steps checks the working of an expression's derivative, not of an equation",
        "--steps 检查的是表达式求导的过程，不是方程的",
    ),
    (r"expected an expression after '='", "'=' 之后应有一个表达式"),
    (r"the working has no lines: one step a line", "解答过程是空的：每行写一步"),
    (
        r"a derivative operator such as d/dx goes at the start of the expression",
        "d/dx 这样的求导算子应写在表达式的开头",
    ),
    (r"expected an expression here", "这里应有一个表达式"),
    (
        r"only one '=' is allowed \(an equation has two sides\)",
        "只能有一个 '='（方程只有两边）",
    ),
    (
        r"(?P<name>.+) names a derivative; to differentiate, write (?P<op>.+) followed by the"
        r" expression",
        "{name} 表示一个导数；要求导，请写 {op}，后面接表达式",
    ),
    (r"expected an expression before '='", "'=' 之前应有一个表达式"),
    (r"(?P<op>.+) needs an expression after it", "{op} 之后需要一个表达式"),
    (
        r"(?P<op>.+) applies to everything after it: put it all in one pair of brackets,"
        r" (?P<bracketed>.+), or move the other terms before the operator",
        "{op} 作用于它之后的全部内容：请把这些都放进一对括号，写成 {bracketed}，"
        "或把其他项移到算子之前",
    ),
    (r"expected '=' after the derivative's name", "导数的名称之后应为 '='"),
    (
        r"(?P<op>.+) needs the expression after it, not '='",
        "{op} 之后应是表达式，而不是 '='",
    ),
    (
        r"(?P<prime>.+) of several variables does not say which one: write (?P<written>.+)",
        "多元函数的 {prime} 没有说明对哪个变量求导：请写 {written}",
    ),
    (r"(?P<name>.+) cannot be a function of itself", "{name} 不能是它自身的函数"),
    (
        r"this equation has no variable \(there is nothing to differentiate\)",
        "这个方程没有变量（没有可以求导的对象）",
    ),
    (
        r"the equation does not determine (?P<d>.+) \(the derivative of both sides has no term"
        r" in (?P<prime>.+)\)",
        "这个方程确定不了 {d}（两边的导数中没有含 {prime} 的项）",
    ),
    # -- the API (api.py) and the chain rule over paths (calculus/paths.py)
    (r"'(?P<name>.*)' is not a variable name", "'{name}' 不是变量名"),
    (
        r"the expression has several variables \((?P<names>.+)\); say which one",
        "表达式有多个变量（{names}）；请指明对哪一个求导",
    ),
    # issue 23: what a line means (parse/question.py)
    (
        r"the answer's (?P<name>.+) is the derivative of another expression than the one asked"
        r" about",
        "答案中的 {name} 是另一个表达式的导数，不是所问表达式的导数",
    ),
    (
        r"the expression has several variables \((?P<names>.+)\); say which one \('(?P<name>.+)'"
        r" is one name: for a product write (?P<a>.+) or (?P<b>.+)\)",
        "表达式有多个变量（{names}）；请指明对哪一个求导"
        "（'{name}' 是一个名称：乘积请写成 {a} 或 {b}）",
    ),
    (
        r"'(?P<name>.+)' is one name, so it is not a product; write (?P<a>.+) or (?P<b>.+) \(a"
        r" variable named (?P<n2>.+) must be given by name: (?P<how>.+)\)",
        "'{name}' 是一个名称，不是乘积；请写成 {a} 或 {b}（名为 {n2} 的变量须指名给出：{how}）",
    ),
    (
        r"--let works with first derivatives only \(no --order\)",
        "--let 只能用于一阶导数（不能与 --order 同用）",
    ),
    (r"the expression has no variables to take a gradient by", "表达式中没有可以求梯度的变量"),
    (r"a variable is named twice", "有一个变量给出了两次"),
    (r"'(?P<item>.*)' is not NAME=EXPR", "'{item}' 不是 NAME=EXPR 的形式"),
    (r"the intermediate (?P<name>.+) is named twice", "中间变量 {name} 定义了两次"),
    (r"the intermediate (?P<name>.+) is defined through itself", "中间变量 {name} 用它自身来定义"),
    (
        r"the intermediates depend on each other in a cycle \((?P<name>.+)\)",
        "中间变量互相循环依赖（{name}）",
    ),
    (
        r"(?P<var>.+) is the variable; it cannot also be an intermediate",
        "{var} 是求导的变量，不能同时是中间变量",
    ),
    (r"a variable cannot also be an intermediate", "变量不能同时是中间变量"),
    (
        r"more than (?P<n>.+) paths lead from the expression to (?P<var>.+)",
        "从表达式到 {var} 的路径超过 {n} 条",
    ),
    (r"the list is empty", "列表是空的"),
    (r"an empty entry in the list", "列表中有一项是空的"),
    (r"the functions have no variables to differentiate by", "这些函数中没有可以求导的变量"),
    (
        r"(?P<power>.+) is too large a number to differentiate through"
        r" \(it can only be a constant term\)",
        "{power} 这个数太大，无法对它求导（它只能作为常数项）",
    ),
    (r"(?P<power>.+) is too large a number to compare with", "{power} 这个数太大，无法比较"),
    (r"'(?P<part>.*)' is not NAME=VALUE", "'{part}' 不是 NAME=VALUE 的形式"),
    (r"(?P<name>.+) is given twice", "{name} 给出了两次"),
    (
        r"there are only (?P<n>\S+) different problems of (?P<topic>\S+) \((?P<level>\S+)\): ask"
        r" for (?P<most>\S+) or fewer, or another level",
        "{topic}（{level}）只有 {n} 道不同的题：请要 {most} 道或更少，或换一个难度",
    ),
    (
        r"--topic is one of (?P<topics>.+), not (?P<topic>.+)",
        "--topic 为 {topics} 之一，不能是 {topic}",
    ),
    (
        r"--level is one of (?P<levels>.+), not (?P<level>.+)",
        "--level 为 {levels} 之一，不能是 {level}",
    ),
    (r"--count is a whole number from 1 to (?P<most>\S+)", "--count 是 1 到 {most} 的整数"),
    (
        r"--key is (?P<answers>answers) or (?P<full>full)",
        "--key 的值为 {answers}（答案）或 {full}（完整过程）",
    ),
    (
        r"--level is 1 \(the rule\), 2 \(its parts and formula\) or 3 \(applied\)",
        "--level 为 1（法则）、2（各部分与公式）或 3（套用）",
    ),
    (
        r"--rule is one of (?P<rules>.+), not (?P<rule>.+)",
        "--rule 须为 {rules} 之一，而不是 {rule}",
    ),
    (
        r"--rule is for an expression; an equation is differentiated implicitly, both sides",
        "--rule 用于表达式；方程要隐函数求导，两边同时求导",
    ),
    (
        r"the value of (?P<name>.+?) must be a number; '(?P<value>.*)' has (?P<found>.+)",
        "{name} 的值必须是一个数；'{value}' 中有 {found}",
    ),
    (
        r"the value of (?P<name>.+?) must be a number, not (?P<value>.+)",
        "{name} 的值必须是一个数，而不是 {value}",
    ),
    (r"the value of (?P<name>.+?) is too large to compute with", "{name} 的值太大，无法计算"),
    (
        r"the value of (?P<name>.+?) must be a finite real number \(variables are real\)",
        "{name} 的值必须是有限的实数（变量都是实数）",
    ),
    (r"(?P<var>.+) is not a variable of the functions", "{var} 不是这些函数的变量"),
    (
        r"(?P<var>.+) is not a variable of (?P<expr>.+) \(it has (?P<names>.*)\)",
        "{var} 不是 {expr} 的变量（它的变量：{names}）",
    ),
    (r"--at needs a value for (?P<names>.+) too", "--at 还需要 {names} 的值"),
    (r"--let does not work with an equation", "--let 不能用于方程"),
    (
        r"--dependent is for an equation in two variables \(x\^2 \+ y\^2 = 25\)",
        "--dependent 用于含两个变量的方程（如 x^2 + y^2 = 25）",
    ),
    (
        r"this names a derivative and its value \(an answer, as in dy/dx = …\); say what to"
        r" differentiate, or check the answer with: chainrule check EXPR VAR ANSWER",
        "这写的是一个导数和它的值（一个答案，如 dy/dx = …）；请说明要对什么求导，"
        "或用 chainrule check EXPR VAR ANSWER 检查这个答案",
    ),
    (
        r"the expression says (?P<op>.+) but the variable given is (?P<var>.+); give one of them",
        "表达式写的是 {op}，给出的变量却是 {var}；请只给出其中一个",
    ),
    (
        r"the expression asks for derivative (?P<n>.+?) \((?P<written>.+)\) but --order is"
        r" (?P<order>.+); give one of them",
        "表达式要求 {n} 阶导数（{written}），--order 却是 {order}；请只给出其中一个",
    ),
    (r"(?P<f>.+) has several variables; say which one", "{f} 有多个变量；请指明是哪一个"),
    (
        r"(?P<f>.+) is a function of (?P<args>.+), not of (?P<var>.+)",
        "{f} 是 {args} 的函数，不是 {var} 的函数",
    ),
    (r"(?P<name>.+) does not appear in the equation", "方程中没有出现 {name}"),
    (
        r"the equation has the variables (?P<names>.+); say which one to differentiate by",
        "方程中有变量 {names}；请指明对哪一个求导",
    ),
    (
        r"the equation has only the variable (?P<x>.+): there is no function of (?P<same>.+) to"
        r" find",
        "方程中只有变量 {x}：没有关于 {same} 的函数可求",
    ),
    (
        r"say which of (?P<names>.+) depends on (?P<x>.+), with --dependent NAME",
        "请用 --dependent NAME 指明 {names} 中哪一个依赖于 {x}",
    ),
    (
        r"(?P<x>.+) cannot depend on itself: --dependent must differ from VAR",
        "{x} 不能依赖于它自身：--dependent 必须与 VAR 不同",
    ),
    (
        r"'(?P<other>.+)' is one name, so it is not a product with (?P<name>.+); write"
        r" (?P<a>.+) or (?P<b>.+)",
        "'{other}' 是一个名称，不是与 {name} 的乘积；请写成 {a} 或 {b}",
    ),
    (
        r"'(?P<other>.+)' is one name, so it is not a product with (?P<name>.+); name the"
        r" variable differently \((?P<o2>.+) contains (?P<n2>.+)\)",
        "'{other}' 是一个名称，不是与 {name} 的乘积；请给这个变量换个名字（{o2} 中含有 {n2}）",
    ),
    (
        r"(?P<v>.+) is the function's value here \((?P<v2>.+) = …\); say which variable to"
        r" differentiate by",
        "{v} 在这里是函数值（{v2} = …）；请指明对哪个变量求导",
    ),
    (
        r"the variable is (?P<x>.+), not (?P<dx>.+): give it without the d",
        "变量是 {x}，不是 {dx}：请去掉 d",
    ),
    (
        r"the answer names the derivative of (?P<f>.+), but the function is (?P<g>.+)",
        "答案写的是 {f} 的导数，但函数是 {g}",
    ),
    (
        r"'\^(?P<p>.+)/(?P<n>.+)' reads as the power (?P<p2>.+), then divided by (?P<n2>.+):"
        r" write \^\((?P<fix>.+)\) for the root",
        "'^{p}/{n}' 会读作 {p2} 次幂再除以 {n2}：开方请写成 ^({fix})",
    ),
    (
        r"'(?P<call>.+)' could be (?P<prod>.+) or a function (?P<f>.+) of (?P<x>.+): write"
        r" (?P<star>.+) for the product; for a function, write (?P<f2>.+) alone in an"
        r" equation \((?P<eq>.+)\), or (?P<fx>.+), or declare it: --function (?P<f3>.+)",
        "'{call}' 可能是 {prod}，也可能是 {x} 的函数 {f}：乘积请写成 {star}；若是函数，在方程中"
        "只写 {f2}（如 {eq}），或写 {fx}，或用 --function {f3} 声明",
    ),
    (
        r"(?P<f>.+)\^-1\(…\), the inverse function of (?P<f2>.+), is not known here: name it"
        r" \(g\) or write (?P<r>.+) for the reciprocal",
        "{f}^-1(…) 是 {f2} 的反函数，这里无法求导：请给它起个名字（如 g），倒数请写成 {r}",
    ),
    (
        r"(?P<command>.+) works out every variable's derivative itself: leave out (?P<op>.+)",
        "{command} 会自己求出每个变量的导数：请去掉 {op}",
    ),
    (
        r"(?P<command>.+) takes an expression, not an equation \(implicit differentiation is"
        r" chainrule diff EQUATION VAR\)",
        "{command} 只接受表达式，不接受方程（隐函数求导请用 chainrule diff EQUATION VAR）",
    ),
    (
        r"\((?P<names>.+)\) = \((?P<values>.+)\) is not on the curve (?P<curve>.+): there"
        r" (?P<left>.+) = (?P<lv>.+), not (?P<rv>.+)",
        "({names}) = ({values}) 不在曲线 {curve} 上：在这一点 {left} = {lv}，而不是 {rv}",
    ),
    (
        r"the answer is a derivative by (?P<by>.+), but the variable is (?P<var>.+)",
        "答案是对 {by} 的导数，但求导变量是 {var}",
    ),
    (
        r"the answer is (?P<what>.+); write the derivative, as 2x or dy/dx = 2x",
        "答案是{what}；请写出导数，如 2x 或 dy/dx = 2x",
    ),
    (
        r"the answer names derivative (?P<n>.+), but derivative (?P<asked>.+) is asked for",
        "答案写的是 {n} 阶导数，但要求的是 {asked} 阶导数",
    ),
    (
        r"the answer uses (?P<extra>.+?), which the expression does not have"
        r" \(it has (?P<names>.*?)\)(?P<fix>(?:; .*)?)",
        "答案用到了 {extra}，但表达式中没有（表达式的变量：{names}）{fix}",
    ),
    # issue 23: check (parse/answers.py: an answer with several '=')
    (
        r"the answer's '=' chain names derivatives but gives no expression for them",
        "答案的“=”链只写了导数的名称，没有给出它们的表达式",
    ),
    (
        r"d/d(?P<var>.+) in a chain of '=' is a derivative still to take; write its value",
        "“=”链中的 d/d{var} 是尚未求出的导数；请写出它的值",
    ),
    (
        r"the answer names the derivatives of (?P<f>.+) and (?P<g>.+); name one function",
        "答案写了 {f} 和 {g} 的导数；请只写一个函数的导数",
    ),
    (
        r"'(?P<other>.+)' is one name, so (?P<name>.+) does not appear on its own; put the"
        r" argument of (?P<fn>.+) in parentheses, as (?P<call>.+)",
        "'{other}' 是一个名称，所以 {name} 并没有单独出现；请把 {fn} 的参数放进括号，如 {call}",
    ),
    # -- working it out (calculus/stepper.py, calculus/graph.py, calculus/deep.py)
    (
        r"no differentiation rule for (?P<kind>.+?): (?P<expr>.*)",
        "没有适用于 {kind} 的求导法则：{expr}",
    ),
    (
        r"(?P<expr>.+) is 0 for positive exponents and undefined otherwise;"
        r" it has no derivative to work out",
        "{expr} 在指数为正时为 0，否则没有定义；它没有可以求出的导数",
    ),
    (
        r"(?P<node>.+?) has no value: it is an unknown function \((?P<shown>.*)\)",
        "{node} 没有值：它是未知函数（{shown}）",
    ),
    (r"(?P<node>.+?) has no value: it is an unknown function", "{node} 没有值：它是未知函数"),
    (
        r"(?P<node>.+?) is not a real number that can be computed at this point"
        r" \((?P<shown>.*)\)",
        "{node} 在这一点不是可以算出的实数（{shown}）",
    ),
    (
        r"(?P<node>.+?) is not a real number that can be computed at this point",
        "{node} 在这一点不是可以算出的实数",
    ),
    (
        r"Graphviz's dot gave up after (?P<seconds>.+) seconds \(raise it with --timeout\)",
        "Graphviz 的 dot 在 {seconds} 秒后放弃（可用 --timeout 延长时限）",
    ),
    (
        r"gave up after (?P<seconds>.+) seconds \(raise it with --timeout\)",
        "{seconds} 秒后放弃（可用 --timeout 延长时限）",
    ),
    # -- Graphviz (render/dot.py) and Python (render/python.py)
    (
        r"--format (?P<fmt>.+) is not a Graphviz format chainrule writes",
        "--format {fmt} 不是 chainrule 能写出的 Graphviz 格式",
    ),
    (
        r"--format (?P<fmt>.+) needs Graphviz's dot \(Debian: apt-get install graphviz\);"
        r" --format dot writes the graph for it",
        "--format {fmt} 需要 Graphviz 的 dot 程序（Debian：apt-get install graphviz）；"
        "--format dot 可写出供它使用的图",
    ),
    (r"Graphviz's dot failed: (?P<said>.*)", "Graphviz 的 dot 运行失败：{said}"),
    (
        r"--format python cannot compute (?P<expr>.+): (?P<why>an unknown function has no code"
        r"|the derivative of an unknown function has no code|Python's math module has no .+)",
        "--format python 无法计算 {expr}：{why}",
    ),
    (
        r"--format python cannot compute (?P<expr>.+?): (?P<why>.+)",
        "--format python 无法计算 {expr}：{why}",
    ),
    (
        r"--format python needs the variables' names to differ",
        "--format python 要求各变量的名称互不相同",
    ),
    (
        r"--name (?P<name>.+) is a Python keyword; choose another name",
        "--name {name} 是 Python 的关键字；请换一个名称",
    ),
    (r"--name must be a Python identifier", "--name 必须是合法的 Python 标识符"),
    (
        r"--name (?P<name>.+) would hide Python's own (?P<same>.+): choose another name",
        "--name {name} 会遮蔽 Python 自带的 {same}：请换一个名称",
    ),
    # -- the command line (cli.py): its JSON messages, and the lines of a batch
    (r"a line must be EXPR<TAB>VAR<TAB>ANSWER", "每行必须是 EXPR<TAB>VAR<TAB>ANSWER 的形式"),
    (
        r"the expression is too large to work out \((?P<kind>.+)\)",
        "表达式太大，无法求解（{kind}）",
    ),
    (
        r"the work on this line ended abnormally \(signal (?P<number>.+)\)",
        "这一行的计算异常终止（信号 {number}）",
    ),
    (
        r"the work on this line ended abnormally \(exit status (?P<number>.+)\)",
        "这一行的计算异常终止（退出状态 {number}）",
    ),
    (
        r"the output would be (?P<n>.+) characters long; the limit is (?P<limit>.+)"
        r" \(raise it with --max-output\)",
        "输出将有 {n} 个字符；上限是 {limit}（可用 --max-output 提高上限）",
    ),
    (
        r"internal error \((?P<kind>[^:]+): (?P<said>.*)\)\. This is a bug in chainrule"
        r" (?P<version>\S+); please report it with the command you ran\.",
        "内部错误（{kind}: {said}）。这是 chainrule {version} 的缺陷；请连同你运行的命令一起报告。",
    ),
    (r"not a number of seconds", "不是秒数"),
    # -- a note on how a line with --shape was read (parse/arrays.py): 读作：Wx 即 W·x
    (r"(?P<name>\w+) as (?P<parts>\w+(?:·\w+)+)", "{name} 即 {parts}"),
]

# The command line's own lines (cli.py), after "error: " (or whole, for "interrupted").
_UI_EN_ZH: list[tuple[str, str]] = [
    (
        r"--format (?P<fmt>.+) is for layers: give the arrays' shapes with --shape"
        r" \(e\.g\. (?P<eg>.+)\); --format python is for scalars",
        "--format {fmt} 用于向量和矩阵：请用 --shape 给出各数组的形状（例如 {eg}）；"
        "标量请用 --format python",
    ),
    (
        r"--format python is for scalars; with --shape, use --format (?P<a>\S+) or --format"
        r" (?P<b>\S+)",
        "--format python 只用于标量；使用 --shape 时请用 --format {a} 或 --format {b}",
    ),
    (
        r"plot writes a file: give -o FILE ending in \.svg, \.png or \.pdf",
        "plot 会写入文件：请用 -o 给出以 .svg、.png 或 .pdf 结尾的文件名",
    ),
    (
        r"cannot tell the format of (?P<path>.+): end it in \.svg, \.png or \.pdf",
        "无法判断 {path} 的格式：文件名请以 .svg、.png 或 .pdf 结尾",
    ),
    (r"plot draws one expression, not lines", "plot 只画一个表达式，不能逐行读取"),
    (
        r'plotting needs matplotlib: pip install "chainrule\[plot\]"',
        '画图需要 matplotlib：pip install "chainrule[plot]"',
    ),
    (r"no command given \(one of: (?P<names>.+)\)", "没有给出命令（可用的命令：{names}）"),
    (
        r"--format (?P<fmt>.+) takes one expression, not lines",
        "--format {fmt} 只接受一个表达式，不能逐行读取",
    ),
    (r"PNG is binary; write it with -o FILE", "PNG 是二进制数据；请用 -o FILE 写入文件"),
    (
        r"with - each line gives EXPR<TAB>VAR<TAB>ANSWER; no more arguments",
        "用 - 时每行给出 EXPR<TAB>VAR<TAB>ANSWER；不要再给其他参数",
    ),
    (
        r"give EXPR, VAR and ANSWER \(or - to read lines\)",
        "请给出 EXPR、VAR 和 ANSWER（或用 - 逐行读取）",
    ),
    (
        r"--standalone makes a LaTeX document; add --format latex",
        "--standalone 生成 LaTeX 文档；请加上 --format latex",
    ),
    (
        r"with --steps give EXPR and VAR; the working comes from FILE",
        "使用 --steps 时请给出 EXPR 和 VAR；解答过程从 FILE 读取",
    ),
    (r"--steps has no (?P<fmt>\S+) format", "--steps 没有 {fmt} 格式"),
    (
        r"--steps is - but standard input is a terminal; pipe the working in",
        "--steps 是 -，但标准输入是终端；请用管道输入解答过程",
    ),
    (r"cannot read (?P<path>.+?): (?P<reason>.+)", "无法读取 {path}：{reason}"),
    (
        r"EXPR is - but standard input is a terminal; pipe lines in\.",
        "EXPR 是 -，但标准输入是终端；请用管道输入各行。",
    ),
    (r"cannot write (?P<path>.+?): (?P<reason>.+)", "无法写入 {path}：{reason}"),
    (
        r"verification failed: a step disagrees with SymPy; the result above is not to be"
        r" trusted\. Please report this with the command you ran\.",
        "验证失败：有一步与 SymPy 不一致；上面的结果不可信。请连同你运行的命令一起报告。",
    ),
    (
        r"could not decide: too few points where both are real numbers",
        "无法判定：两者都是实数的点太少",
    ),
]

_Table = list[tuple[re.Pattern[str], str]]
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _compile(pairs: list[tuple[str, str]]) -> _Table:
    return [(re.compile(pattern, re.DOTALL), template) for pattern, template in pairs]


_PHRASES: dict[str, dict[str, _Table]] = {
    "zh": {
        "phrase": _compile(_PHRASES_EN_ZH),
        "shape": _compile(_SHAPES_EN_ZH),
        "describe": _compile(_DESCRIBE_EN_ZH),
        "fits": _compile(_FITS_EN_ZH),
    },
}
_MESSAGES: dict[str, _Table] = {"zh": _compile(_MESSAGES_EN_ZH)}
_UI: dict[str, _Table] = {"zh": _compile(_UI_EN_ZH)}

# The pieces of a line of the command line's, in each language.
_FRAME = {
    "zh": {
        "error": "错误：{rest}",
        "column": "第 {column} 列：{rest}",
        "line": "第 {number} 行：{rest}",
        "interrupted": "已中断",
        "note": "注意：{rest}",
    },
}


def _apply(
    table: _Table,
    text: str,
    phrase: Callable[[str, str], tuple[str, tuple[str, ...]] | None] | None,
) -> tuple[str, tuple[str, ...]] | None:
    """The first entry of table matching the whole text: (the translation, the runtime parts
    kept as they are); None if none matches. `phrase(name, value)` translates a runtime part
    that is itself a phrase (None for a part kept as it is)."""
    for pattern, template in table:
        m = pattern.fullmatch(text)
        if m is None:
            continue
        fields, kept = {}, []
        for name, value in m.groupdict().items():
            value = value or ""
            found = phrase(name, value) if phrase is not None and value else None
            if found is not None:
                said, inner = found
                kept.extend(inner)
                if said != value and _CJK.match(said):
                    # 却遇到输入结尾, not 却遇到 输入结尾: no space before a Chinese phrase
                    template = template.replace(f" {{{name}}}", f"{{{name}}}")
                value = said
            elif value:
                kept.append(value)
            fields[name] = value
        return template.format(**fields), tuple(kept)
    return None


def _phrase(name: str, value: str, lang: str) -> tuple[str, tuple[str, ...]] | None:
    """A phrased part in lang, and the runtime parts inside it (or the part itself, kept);
    None when the part `name` is not a phrase. A phrase's own parts may be phrases of their
    kind in turn ("W is 3×2": W, and the shape 3×2)."""
    kind = _KINDS.get(name)
    tables = _PHRASES.get(lang, {})
    if kind is None or kind not in tables:
        return None
    inner = (lambda n, v: _phrase(n, v, lang)) if kind != "phrase" else None
    found = _apply(tables[kind], value, inner)
    return (value, (value,)) if found is None else found


def translate_parts(message: str, lang: str) -> tuple[str, tuple[str, ...]]:
    """translate(message, lang), and the runtime parts of the message kept in it as they are
    (names, expressions, numbers: what the sentence says about the input)."""
    if lang == "en" or lang not in _MESSAGES:
        return message, ()
    found = _apply(_MESSAGES[lang], message, lambda n, v: _phrase(n, v, lang))
    return (message, ()) if found is None else found


def translate(message: str, lang: str) -> str:
    """An error message of the core (ChainruleError.message, English) in `lang`: unchanged
    for "en", and for a message no pattern knows (never lost)."""
    return translate_parts(message, lang)[0]


def error_line(exc: BaseException, lang: str) -> str:
    """The first line the command line prints for an error: `error: column 7: unexpected ')'`,
    `错误：第 7 列：意外的 ')'`."""
    message = getattr(exc, "message", None)
    if not isinstance(message, str):
        message = str(exc)
    column = getattr(exc, "column", None)
    if lang not in _FRAME:
        return f"error: column {column}: {message}" if column is not None else f"error: {message}"
    frame = _FRAME[lang]
    rest = translate(message, lang)
    if column is not None:
        rest = frame["column"].format(column=column, rest=rest)
    return frame["error"].format(rest=rest)


_LINE = re.compile(r"line (?P<number>\d+): (?P<rest>.*)", re.DOTALL)
_ERROR = re.compile(r"error: (?P<rest>.*)", re.DOTALL)
_COLUMN = re.compile(r"column (?P<column>\d+): (?P<rest>.*)", re.DOTALL)


def ui_error(english_line: str, lang: str) -> str:
    """A line the command line prints on stderr, in `lang`: `error: …` (its own usage errors,
    and any core error with or without `column N: `), `line N: …` in a batch, `interrupted`.
    Leading newlines are kept; any other line (the input under a caret) comes back unchanged."""
    if lang not in _FRAME:
        return english_line
    frame = _FRAME[lang]
    body = english_line.lstrip("\n")
    lead = english_line[: len(english_line) - len(body)]
    if body == "interrupted":
        return lead + frame["interrupted"]
    if body.startswith("note: "):  # the sentence after it is in the language already
        return lead + frame["note"].format(rest=body.removeprefix("note: "))
    m = _LINE.fullmatch(body)
    if m is not None:
        rest = ui_error(m["rest"], lang)
        return lead + frame["line"].format(number=m["number"], rest=rest)
    m = _ERROR.fullmatch(body)
    if m is None:
        return english_line
    rest = m["rest"]
    line = _LINE.fullmatch(rest)  # error: line 3: column 5: … (a line of check --steps)
    if line is not None:
        inner = ui_error(f"error: {line['rest']}", lang)
        return lead + frame["line"].format(number=line["number"], rest=inner)
    column = _COLUMN.fullmatch(rest)
    if column is not None:
        said = frame["column"].format(column=column["column"], rest=translate(column["rest"], lang))
    else:
        found = _apply(_UI[lang], rest, lambda n, v: _phrase(n, v, lang))
        said = found[0] if found is not None else translate(rest, lang)
    return lead + frame["error"].format(rest=said)
