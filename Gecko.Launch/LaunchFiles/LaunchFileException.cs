using Gecko.Core;

namespace Gecko.Launch.LaunchFiles;

/// <summary>One thing wrong with a launch file, where it is.</summary>
/// <param name="File">The file, as the user would open it (relative to the working directory when inside it).</param>
/// <param name="Line">The 1-based line; 0 when the error is about the file as a whole or a command-line override.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
public sealed record LaunchFileError(string File, int Line, string Message)
{
    /// <summary><c>file:line: message</c>, the form editors and terminals link to the spot.</summary>
    public override string ToString() => Line > 0 ? $"{File}:{Line}: {Message}" : $"{File}: {Message}";
}

/// <summary>A launch file was refused before anything started; <see cref="Errors"/> says where and why.</summary>
public sealed class LaunchFileException : GeckoException
{
    /// <summary>Creates the refusal of a launch file for <paramref name="errors"/> (at least one).</summary>
    public LaunchFileException(IReadOnlyList<LaunchFileError> errors)
        : base(string.Join('\n', errors))
    {
        if (errors.Count == 0) throw new ArgumentException("A refused launch file needs at least one error.", nameof(errors));
        Errors = errors;
    }

    /// <summary>Everything found wrong, in file order.</summary>
    public IReadOnlyList<LaunchFileError> Errors { get; }
}
